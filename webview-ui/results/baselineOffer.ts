import { button, el } from '../shared/toolkit';

/**
 * Said when the host found no source-only run of this run's student on its data: without that
 * lower bound the table cannot show what adaptation gained. The button runs KD-UDA: Start
 * Source-Only Baseline of Run, as the palette does.
 */
export function baselineOffer(start: () => void): HTMLElement {
  return el(
    'p',
    { class: 'baseline-offer', id: 'baseline-offer' },
    'No source-only baseline run for this data and student: nothing shows what adaptation gains over training on the source alone. ',
    button('Start Source-Only Baseline', start, {
      title: 'Write this run’s experiment as source-only training of the same student (same data, split and seed) to an experiment file, and start it',
    }),
  );
}
