import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DatasetRoots } from '../datasetsView/datasetRoots';
import { TrainerProcess, UntrustedWorkspaceError } from '../processes/trainerProcess';
import { CommandId } from './commandId';

/** Arguments for a programmatic call (tests, other extensions); the palette asks instead. */
export interface CreateDigitsOptions {
  out?: string;
  size?: number;
  seed?: number;
}

export type CreateDigitsResult = { created: true; out: string } | { created: false; reason: string };

/** The generator writes two ImageFolder roots, one per fixed split, under the folder it is given. */
const SPLIT_ROOTS = ['train', 'test'];

/**
 * The roots to list: the folder itself when it holds both splits (the Datasets view and the
 * wizard read it as one dataset with its own test split), else whichever split was written.
 */
function rootsToList(out: string): string[] {
  const built = SPLIT_ROOTS.map((split) => path.join(out, split)).filter((root) => existsSync(root));
  return built.length === SPLIT_ROOTS.length ? [out] : built;
}

async function askForFolder(): Promise<string | undefined> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const suggestion = workspace ? path.join(workspace, 'digits') : undefined;
  return vscode.window.showInputBox({
    title: 'KD-UDA: Create Digits Benchmark',
    prompt: 'Folder to write the Digits benchmark into (mnist, mnist-photo, font-digits, uci-digits)',
    value: suggestion,
    validateInput: (value) => (value.trim() === '' ? 'A folder is required' : path.isAbsolute(value.trim()) ? undefined : 'Give an absolute path'),
  });
}

/**
 * KD-UDA: Create Digits Benchmark — runs the trainer's `data digits` in a child process with a
 * cancellable progress notification, its output in the KD-UDA Lab output channel, then adds the
 * result to the Datasets view.
 */
export function createDigitsBenchmarkCommand(extensionUri: vscode.Uri, roots: DatasetRoots, output: vscode.LogOutputChannel) {
  return async (options: CreateDigitsOptions = {}): Promise<CreateDigitsResult> => {
    if (!vscode.workspace.isTrusted) {
      const reason = new UntrustedWorkspaceError('Creating the Digits benchmark').message;
      void vscode.window.showWarningMessage(reason);
      return { created: false, reason };
    }
    const out = options.out ?? (await askForFolder())?.trim();
    if (!out) return { created: false, reason: 'no folder chosen' };
    const args = ['data', 'digits', '--out', out];
    if (options.size !== undefined) args.push('--size', String(options.size));
    if (options.seed !== undefined) args.push('--seed', String(options.seed));

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'KD-UDA: creating the Digits benchmark', cancellable: true },
      async (progress, cancellation) => {
        output.info(`kd-uda ${args.join(' ')}`);
        let trainer: TrainerProcess;
        try {
          trainer = TrainerProcess.start(extensionUri, args, { what: 'Creating the Digits benchmark' });
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          void vscode.window.showErrorMessage(reason);
          return { created: false, reason };
        }
        trainer.onLine((line) => {
          output.info(line);
          progress.report({ message: line.replace(/^\[digits\]\s*/, '').slice(0, 120) });
        });
        const cancelled = cancellation.onCancellationRequested(() => void trainer.stop());
        const exit = await trainer.exit;
        cancelled.dispose();
        trainer.dispose();
        const built = rootsToList(out);
        for (const root of built) await roots.add(root);
        if (cancellation.isCancellationRequested) return { created: false, reason: 'cancelled' };
        // Exit code 3: some domains could not be built on this machine; the rest are usable.
        if ((exit.code === 0 || exit.code === 3) && built.length > 0) {
          const message =
            exit.code === 0 ? `Digits benchmark written to ${out}.` : `Digits benchmark written to ${out}, without some domains (see the KD-UDA Lab output).`;
          void vscode.window.showInformationMessage(message, 'Show Dataset').then((choice) => {
            if (choice) void vscode.commands.executeCommand(CommandId.ShowDataset, built[0]);
          });
          return { created: true, out };
        }
        const reason = `The Digits generator failed (${exit.signal ?? `exit code ${exit.code}`}): ${exit.tail.slice(-3).join(' / ')}`;
        void vscode.window.showErrorMessage(reason, 'Show Output').then((choice) => {
          if (choice) output.show();
        });
        return { created: false, reason };
      },
    );
  };
}
