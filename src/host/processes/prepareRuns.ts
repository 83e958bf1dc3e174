import type * as vscode from 'vscode';
import { parsePrepareMessage, type PreparedRuns } from '../../runFolder/preparedRuns';
import { TrainerProcess } from './trainerProcess';

export type PrepareOutcome = { kind: 'prepared'; prepared: PreparedRuns } | { kind: 'refused'; reason: string } | { kind: 'failed'; message: string };

/**
 * `kd-uda prepare` in a child process: the trainer's own checks of every point (data, images, warm
 * starts) and a run folder per point, made or reused. `fresh` asks for new folders whatever exists
 * (Start Run on a file without a sweep starts a new run each time).
 */
export async function prepareRuns(extensionUri: vscode.Uri, file: string, runsDir: string, options: { fresh: boolean; cwd: string }): Promise<PrepareOutcome> {
  const trainer = TrainerProcess.start(extensionUri, ['prepare', file, '--runs-dir', runsDir, '--json', ...(options.fresh ? ['--new'] : [])], {
    what: 'Preparing a run',
    cwd: options.cwd,
  });
  let outcome: PrepareOutcome | undefined;
  trainer.onMessage((message) => {
    const parsed = parsePrepareMessage(message);
    if (parsed?.kind === 'runs-prepared') outcome = { kind: 'prepared', prepared: parsed };
    else if (parsed?.kind === 'prepare-refused') outcome = { kind: 'refused', reason: parsed.reason };
  });
  try {
    const exit = await trainer.exit;
    if (outcome) return outcome;
    const lines = exit.tail.filter((line) => line.trim() !== '' && !/^\s+at\s/.test(line)).slice(-3);
    return {
      kind: 'failed',
      message: `kd-uda prepare ended (${exit.signal ?? `exit code ${exit.code}`}) without preparing anything${lines.length ? `: ${lines.join(' / ')}` : ''}`,
    };
  } finally {
    trainer.dispose();
  }
}
