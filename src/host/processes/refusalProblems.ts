import { INSTALL_NATIVE_COMMAND } from '../../nativeSetup/installNativeCommand';

/** How many problems a refusal's notification spells out; the rest are counted. */
const SHOWN_PROBLEMS = 3;

/**
 * The problems of a trainer's refusal, one entry each. The trainer writes one problem a line, and
 * a problem's explanation (a backend's rungs tried, each with its fix) on indented lines under it:
 * those belong to the problem above, so a backend that cannot start is one problem, not three.
 */
export function refusalProblems(reason: string): string[] {
  const problems: string[] = [];
  for (const line of reason.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const continuation = /^\s/.test(line) && problems.length > 0;
    // `  - tensorflow-gpu: …` reads on after the problem's colon, `    fix: …` as the next sentence (src/trainer/backends/backendError.ts).
    const text = line.trim().replace(/^- /, '');
    if (!continuation) problems.push(text);
    else if (text.startsWith('fix: ')) problems[problems.length - 1] += `. Fix: ${text.slice('fix: '.length)}`;
    else problems[problems.length - 1] += ` ${text}`;
  }
  return problems;
}

/** `run X was not started (1 problem): …`: the first problems in full, the rest counted. */
export function refusalText(label: string, problems: readonly string[], more: string): string {
  const count = `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`;
  const rest = problems.length > SHOWN_PROBLEMS ? ` · and ${problems.length - SHOWN_PROBLEMS} more${more}` : '';
  return `KD-UDA: run ${label} was not started (${count}): ${problems.slice(0, SHOWN_PROBLEMS).join(' · ')}${rest}`;
}

/** Whether a problem's fix is the palette command that fetches a native backend: its notification then offers it as a button. */
export function offersNativeInstall(problems: readonly string[]): boolean {
  return problems.some((problem) => problem.includes(INSTALL_NATIVE_COMMAND));
}
