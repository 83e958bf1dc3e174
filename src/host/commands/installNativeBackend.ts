import * as vscode from 'vscode';
import { describeSystem, nativeVerdict } from '../../nativeSetup/describeSystem';
import { detectSystem, type SystemReport } from '../../nativeSetup/detectSystem';
import { fetchNativeBackend } from '../../nativeSetup/fetchNativeBackend';
import { findInstalledNative, type InstalledNative } from '../../nativeSetup/installedNative';
import { nativeCacheFolder } from '../../nativeSetup/nativeCacheFolder';
import { INSTALL_NATIVE_COMMAND } from '../../nativeSetup/installNativeCommand';
import { nativePackages, TFJS_VERSION, type NativeRung } from '../../nativeSetup/nativePackages';

/** Arguments for a programmatic call (tests); the palette asks which build instead. `detectOnly` reports and fetches nothing. */
export interface InstallNativeOptions {
  rung?: NativeRung;
  detectOnly?: boolean;
}

export interface InstallNativeResult {
  report: SystemReport;
  verdict: ReturnType<typeof nativeVerdict>;
  /** Each build the trainer would find installed already, with its version and folder. */
  present: Partial<Record<NativeRung, InstalledNative>>;
  /** The installed package's folder: fetched now, or there already (`reason` then says so). */
  installed?: string;
  /** Why nothing was fetched (cancelled, installed already, or the fetch's error). */
  reason?: string;
}

const BUILD_NAMES: Record<NativeRung, string> = { 'tensorflow-gpu': 'GPU build', tensorflow: 'CPU build' };
/** Fastest first, as the trainer's `auto` tries them. */
const RUNGS: readonly NativeRung[] = ['tensorflow-gpu', 'tensorflow'];

/** A build the trainer can load as it is: nothing to fetch for it. */
const usableAsIs = (present: InstalledNative | undefined): present is InstalledNative => present?.matches === true;

/** `installed 4.22.0 (…/node_modules/@tensorflow/tfjs-node)`, `installed 4.10.0, the wrong version (4.22.0 is needed)`, or `not installed`. */
function installedText(present: InstalledNative | undefined): string {
  if (!present) return 'not installed';
  return present.matches
    ? `installed, ${present.version} (${present.dir})`
    : `installed, ${present.version}: not the ${TFJS_VERSION} the trainer needs (${present.dir})`;
}

/**
 * The builds worth fetching: those not installed, or installed at a version the trainer cannot
 * load (fetching replaces it). A build that is there as it should be is not offered again; the
 * placeholder says it is there. Resolves to undefined when nothing is chosen or there is nothing to fetch.
 */
async function pickBuild(verdict: InstallNativeResult['verdict'], present: InstallNativeResult['present']): Promise<NativeRung | undefined> {
  const usable = { 'tensorflow-gpu': verdict.gpu, tensorflow: verdict.cpu };
  const items: Array<vscode.QuickPickItem & { rung: NativeRung }> = RUNGS.filter((rung) => !usableAsIs(present[rung])).map((rung) => ({
    rung,
    label: `${BUILD_NAMES[rung]} (${nativePackages[rung]})`,
    description: `${usable[rung].usable ? 'usable here' : 'not usable here'}${present[rung] ? `; replaces the installed ${present[rung].version}` : ''}`,
    detail: usable[rung].why,
  }));
  const already = RUNGS.filter((rung) => usableAsIs(present[rung])).map((rung) => `${BUILD_NAMES[rung]} ${present[rung]!.version}`);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`KD-UDA: both native TensorFlow builds are installed already (${already.join(', ')}); nothing to fetch.`);
    return undefined;
  }
  if (!verdict.gpu.usable) items.reverse();
  const picked = await vscode.window.showQuickPick(items, {
    title: INSTALL_NATIVE_COMMAND,
    placeHolder: already.length ? `Installed already: ${already.join(', ')}. Which other build to fetch?` : 'Which TensorFlow build to fetch',
  });
  return picked?.rung;
}

/**
 * KD-UDA: Install Native TensorFlow Backend — reports what this machine offers (CPU features, the
 * NVIDIA driver, CUDA and cuDNN libraries) and which builds the trainer finds installed already,
 * in the KD-UDA Lab output channel, then fetches the chosen tfjs-node build into the user's cache
 * folder, where the trainer looks for it, with a progress notification; a summary message says
 * what came of it. A build that is installed as it should be is reported, never fetched again.
 */
export function installNativeBackendCommand(output: vscode.LogOutputChannel, extensionUri: vscode.Uri) {
  return async (options: InstallNativeOptions = {}): Promise<InstallNativeResult> => {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'KD-UDA: looking for CPU features, NVIDIA driver, CUDA and cuDNN' },
      () => detectSystem(),
    );
    const verdict = nativeVerdict(report);
    const present: InstallNativeResult['present'] = {};
    for (const rung of RUNGS) {
      const found = findInstalledNative(rung, extensionUri.fsPath);
      if (found) present[rung] = found;
    }
    output.info('Native TensorFlow: what this machine offers');
    for (const line of describeSystem(report)) output.info(line);
    output.info(
      `GPU build: ${verdict.gpu.usable ? 'usable' : 'not usable'} (${verdict.gpu.why}), ${installedText(present['tensorflow-gpu'])}; CPU build: ${verdict.cpu.usable ? 'usable' : 'not usable'} (${verdict.cpu.why}), ${installedText(present.tensorflow)}`,
    );
    if (options.detectOnly) return { report, verdict, present };

    const rung = options.rung ?? (await pickBuild(verdict, present));
    if (!rung) return { report, verdict, present, reason: 'no build chosen' };
    const there = present[rung];
    if (usableAsIs(there)) {
      const reason = `${there.packageName} ${there.version} is installed already (${there.dir}); nothing was fetched`;
      output.info(reason);
      void vscode.window.showInformationMessage(`KD-UDA: ${reason}.`);
      return { report, verdict, present, installed: there.dir, reason };
    }
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
      return { report, verdict, present, installed };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      output.error(reason);
      void vscode.window.showErrorMessage(`KD-UDA: ${reason}`, 'Show Output').then((choice) => {
        if (choice) output.show();
      });
      return { report, verdict, present, reason };
    }
  };
}
