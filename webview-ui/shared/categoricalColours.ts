/**
 * The categorical colours every panel's figures draw groups and series with, one list per theme
 * kind, shared by the Checkpoint Diff figures and the Results curves. Pure (no DOM).
 */

/** Which palette a theme gets: light for VS Code's light and high-contrast light themes, dark for the others. */
export type ThemeKind = 'dark' | 'light';

export function themeKindOf(bodyClassName: string): ThemeKind {
  const classes = bodyClassName.split(/\s+/);
  return classes.includes('vscode-light') || classes.includes('vscode-high-contrast-light') ? 'light' : 'dark';
}

/**
 * Categorical colours, one list per theme kind, in the order groups take them. Chosen in OKLCH
 * (one hue each, the light theme's darker): every colour keeps a contrast of at least 3:1 against
 * its theme's editor backgrounds and every pair differs by at least 0.12 in OKLab, which
 * test/unit/checkpointDiffFigures.test.ts and test/unit/resultsCharts.test.ts check. Beyond ten groups the colours repeat.
 */
export const CATEGORICAL_COLOURS: Readonly<Record<ThemeKind, readonly string[]>> = {
  dark: ['#59aaf8', '#ffa659', '#5bc663', '#f45058', '#b790f7', '#f7e04f', '#5edada', '#fe7fc0', '#ac7b49', '#d7d7d7'],
  light: ['#1467c2', '#d16e0d', '#1b7e2a', '#c9222b', '#7c3eb3', '#8b8318', '#0d8792', '#d13d91', '#7c4523', '#353535'],
};

export function categoricalColour(theme: ThemeKind, index: number): string {
  const colours = CATEGORICAL_COLOURS[theme];
  return colours[index % colours.length];
}
