/**
 * A panel's load phases on the webview's performance timeline (`kdUda:<phase>`), where
 * bench/panels.ts reads them to say where first-paint time goes. A panel imports this module
 * first, so `bundle` marks its bundle starting to run (fetched and parsed), before the other
 * imports (the toolkit) are evaluated; `script` follows them.
 */
performance.mark('kdUda:bundle');

export function markPhase(phase: 'script' | 'ready' | 'snapshot' | 'rendered' | 'painted' | 'plot-drawn'): void {
  performance.mark(`kdUda:${phase}`);
}

/** Marks `painted` once the frame that shows the DOM as it is now has been painted (a task after its animation frame). */
export function markPaintedAfterThisFrame(): void {
  requestAnimationFrame(() => setTimeout(() => markPhase('painted')));
}
