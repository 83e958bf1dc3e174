import * as vscode from 'vscode';
import { describeSystem, nativeVerdict } from '../../nativeSetup/describeSystem';
import { detectSystem, type SystemReport } from '../../nativeSetup/detectSystem';
import { fetchNativeBackend } from '../../nativeSetup/fetchNativeBackend';
import { nativeCacheFolder } from '../../nativeSetup/nativeCacheFolder';
import { nativePackages, TFJS_VERSION, type NativeRung } from '../../nativeSetup/nativePackages';

/** Arguments for a programmatic call (tests); the palette asks which build instead. `detectOnly` reports and fetches nothing. */
export interface InstallNativeOptions {
  rung?: NativeRung;
  detectOnly?: boolean;
}

export interface InstallNativeResult {
  report: SystemReport;
  verdict: ReturnType<typeof nativeVerdict>;
  /** The installed package's folder. */
  installed?: string;
  /** Why nothing was installed (cancelled, or the fetch's error). */
  reason?: string;
}

async function pickBuild(verdict: InstallNativeResult['verdict']): Promise<NativeRung | undefined> {
  const items: Array<vscode.QuickPickItem & { rung: NativeRung }> = [
    {
      rung: 'tensorflow-gpu',
      label: 'GPU build (@tensorflow/tfjs-node-gpu)',
      description: verdict.gpu.usable ? 'usable here' : 'not usable here',
      detail: verdict.gpu.why,
    },
    {
      rung: 'tensorflow',
      label: 'CPU build (@tensorflow/tfjs-node)',
      description: verdict.cpu.usable ? 'usable here' : 'not usable here',
      detail: verdict.cpu.why,
    },
  ];
  if (!verdict.gpu.usable) items.reverse();
  const picked = await vscode.window.showQuickPick(items, {
    title: 'KD-UDA: Install Native TensorFlow Backend',
    placeHolder: 'Which TensorFlow build to fetch',
  });
  return picked?.rung;
}

/**
 * KD-UDA: Install Native TensorFlow Backend — reports what this machine offers (CPU features, the
 * NVIDIA driver, CUDA and cuDNN libraries) in the KD-UDA Lab output channel, then fetches the
 * chosen tfjs-node build into the user's cache folder, where the trainer looks for it, with a
 * progress notification; a summary message says what came of it.
 */
export function installNativeBackendCommand(output: vscode.LogOutputChannel) {
  return async (options: InstallNativeOptions = {}): Promise<InstallNativeResult> => {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'KD-UDA: looking for CPU features, NVIDIA driver, CUDA and cuDNN' },
      () => detectSystem(),
    );
    const verdict = nativeVerdict(report);
    output.info('Native TensorFlow: what this machine offers');
    for (const line of describeSystem(report)) output.info(line);
    output.info(
      `GPU build: ${verdict.gpu.usable ? 'usable' : 'not usable'} (${verdict.gpu.why}); CPU build: ${verdict.cpu.usable ? 'usable' : 'not usable'} (${verdict.cpu.why})`,
    );
    if (options.detectOnly) return { report, verdict };

    const rung = options.rung ?? (await pickBuild(verdict));
    if (!rung) return { report, verdict, reason: 'no build chosen' };
    const folder = nativeCacheFolder();
    const spec = `${nativePackages[rung]}@${TFJS_VERSION}`;
    output.info(`fetching ${spec} into ${folder}`);
    try {
      const installed = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `KD-UDA: fetching ${spec}` }, (progress) =>
        fetchNativeBackend({
          rung,
          version: TFJS_VERSION,
          folder,
          onLine: (line) => {
            output.info(line);
            progress.report({ message: line.trim().slice(0, 100) });
          },
        }),
      );
      output.info(`installed ${spec} in ${installed}`);
      void vscode.window.showInformationMessage(
        `KD-UDA: ${spec} is installed (${installed}). Runs with backend "auto" or "${rung}" use it from now on; the run's log says what it found.`,
      );
      return { report, verdict, installed };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      output.error(reason);
      void vscode.window.showErrorMessage(`KD-UDA: ${reason}`, 'Show Output').then((choice) => {
        if (choice) output.show();
      });
      return { report, verdict, reason };
    }
  };
}
