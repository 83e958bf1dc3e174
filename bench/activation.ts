/**
 * Activation cost of the extension in a real extension host (code-server + Chromium), repeated in
 * fresh hosts: wall time of activate(), modules it loaded, heavy modules (must be none) and
 * dataset roots scanned a second after it (activate() scans none itself; the listed roots are
 * scanned in the background after it, so their problems reach the Problems panel).
 *
 *   node esbuild.mjs --tests && node out/bench/activation.js [runs]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, openWorkbench } from '../test/harness/browser';
import { poll } from '../test/harness/poll';
import { ensureCodeServer, startCodeServer } from '../test/harness/codeServer';
import { REPO_ROOT } from '../test/harness/paths';
import { createTestWorkspace } from '../test/harness/workspace';

interface ProbeResult {
  wasActive: boolean;
  activationMs: number;
  modulesLoaded: number;
  heavyModules: string[];
  rootsKnown: number;
  scannedRootsAtActivation: number;
}

async function once(): Promise<ProbeResult> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'kd-uda-bench-activation-'));
  const resultsFile = path.join(scratch, 'result.json');
  const workspace = await createTestWorkspace({ dir: scratch });
  const server = await startCodeServer({ workspace: workspace.root, env: { KDUDA_BENCH_RESULTS: resultsFile }, log: () => undefined });
  const browser = await launchBrowser();
  try {
    await openWorkbench(
      browser.page,
      server.urlFor({ extensionDevelopmentPath: REPO_ROOT, extensionTestsPath: path.join(REPO_ROOT, 'out', 'bench', 'activationProbe.js') }),
    );
    await poll('the activation probe to report', () => existsSync(resultsFile), 120_000);
    return JSON.parse(readFileSync(resultsFile, 'utf8')) as ProbeResult;
  } finally {
    await browser.dispose();
    await server.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  await ensureCodeServer();
  const results: ProbeResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  const times = results.map((result) => result.activationMs).sort((a, b) => a - b);
  console.log(`\nExtension activation in a fresh code-server extension host (${runs} runs, load ${os.loadavg()[0].toFixed(2)})\n`);
  console.log('| run | activate() ms | modules loaded | heavy modules | dataset roots scanned at activation (of known) |');
  console.log('|---|---:|---:|---|---:|');
  results.forEach((result, i) =>
    console.log(
      `| ${i + 1} | ${result.activationMs.toFixed(1)} | ${result.modulesLoaded} | ${result.heavyModules.join(', ') || 'none'} | ${result.scannedRootsAtActivation} of ${result.rootsKnown} |`,
    ),
  );
  console.log(`| median | ${times[Math.floor(times.length / 2)].toFixed(1)} | | | |`);
  if (results.some((result) => result.wasActive)) console.log('\nNote: the extension was already active in some run, so those times are not cold.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
