/**
 * How a curve is told from the others in its chart: a colour from the shared categorical palette
 * of the theme kind (at least 3:1 against the editor background, every pair apart in OKLab) and a
 * dash pattern, so that colour is not the only cue. Ten colours and six dashes: the first ten
 * series of a chart differ in colour, the first thirty in colour or dash. Pure (no DOM).
 */
import { CATEGORICAL_COLOURS, type ThemeKind } from '../shared/categoricalColours';

/** SVG stroke-dasharray values, solid first; each reads apart from the others at a 2 px line width. */
export const DASHES: readonly string[] = ['', '7 4', '2 3', '10 3 2 3', '4 4', '14 4 2 4 2 4'];

export interface SeriesStyle {
  colour: string;
  /** A stroke-dasharray; '' is solid. */
  dash: string;
}

/** The style of the series at `index` in the palette's order. */
export function seriesStyle(theme: ThemeKind, index: number): SeriesStyle {
  const colours = CATEGORICAL_COLOURS[theme];
  return { colour: colours[index % colours.length], dash: DASHES[index % DASHES.length] };
}
