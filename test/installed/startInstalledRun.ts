/**
 * Runs in the extension host as `extensionTestsPath` beside the installed KD-UDA Lab (see
 * test/e2e/installedVsix.test.ts): says where the extension was loaded from, starts the experiment
 * `$KDUDA_TEST_EXPERIMENT` with Start Run, waits for the run to end, and writes what it saw to
 * `$KDUDA_TEST_RESULTS` (code-server's host exits 0 whatever happens, so that file is the truth).
 * The run must end before this returns: the extension host, and the trainer with it, exits then.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { listRuns } from '../../src/runFolder/listRuns';
import { poll } from '../harness/poll';

export interface InstalledRunReport {
  extensionPath?: string;
  start?: { started: boolean; reason?: string };
  runDir?: string;
  state?: string;
  error?: string;
}

export async function run(): Promise<void> {
  const report: InstalledRunReport = {};
  try {
    const extension = vscode.extensions.getExtension('kd-uda-lab.kd-uda-lab');
    if (!extension) throw new Error('KD-UDA Lab is not installed in this extension host');
    report.extensionPath = extension.extensionPath;
    await extension.activate();
    const experiment = process.env.KDUDA_TEST_EXPERIMENT!;
    report.start = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', vscode.Uri.file(experiment));
    if (report.start.started) {
      const runsDir = path.join(path.dirname(experiment), 'runs');
      const ended = await poll(
        'the run to end',
        async () => (await listRuns(runsDir)).find((listing) => listing.state && listing.state !== 'running' && listing.state !== 'queued'),
        240_000,
      );
      report.runDir = ended.dir;
      report.state = ended.state;
      report.error = ended.error;
    }
  } catch (error) {
    report.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  writeFileSync(process.env.KDUDA_TEST_RESULTS!, `${JSON.stringify(report, null, 2)}\n`);
}
