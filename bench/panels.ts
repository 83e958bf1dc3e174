/**
 * Results panel speed in a real workbench (code-server + Chromium): time from picking the run in
 * "KD-UDA: Open Results" to the table painted, for a synthetic run folder of 200 epochs x 10 targets x 3 models,
 * and to the curves drawn; then the time to switch the table to max-over-epochs.
 *
 *   node esbuild.mjs --tests && node out/bench/panels.js [repeats]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { launchBrowser, openWorkbench, pickQuickPickItem, poll, quickPickIsOpen, runCommand, webviewFrame } from '../test/harness/browser';
import { ensureCodeServer, startCodeServer } from '../test/harness/codeServer';
import { REPO_ROOT } from '../test/harness/paths';
import { createTestWorkspace } from '../test/harness/workspace';

const EPOCHS = 200;
const TARGETS = Array.from({ length: 10 }, (_, i) => `target-${i}`);
const ROLES = ['teacher-a', 'teacher-b', 'student'];

function writeSyntheticRun(runsDir: string): string {
  const runDir = path.join(runsDir, '20261128-000000-bench');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'status.json'), JSON.stringify({ version: 1, state: 'done' }));
  const lines: string[] = [];
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const accuracy = Object.fromEntries(ROLES.map((role, r) => [role, Object.fromEntries(TARGETS.map((target, t) => [target, Math.min(1, 0.1 + 0.004 * epoch + 0.01 * ((r + t) % 5))]))]));
    lines.push(JSON.stringify({ t: 't', kind: 'eval', epoch, accuracy }));
    lines.push(JSON.stringify({ t: 't', kind: 'epoch', epoch, epochs: EPOCHS, beta: 0.1 * Math.exp((Math.log(9) / EPOCHS) * (epoch - 1)), losses: { 'student.ce': 2 / epoch, 'teacher-a.ce': 1.5 / epoch, 'teacher-a.dann': 0.7 } }));
  }
  writeFileSync(path.join(runDir, 'events.jsonl'), `${lines.join('\n')}\n`);
  return runDir;
}

async function main(): Promise<void> {
  const repeats = Number(process.argv[2] ?? 3);
  await ensureCodeServer();
  const workspace = await createTestWorkspace({});
  writeSyntheticRun(path.join(workspace.root, 'runs'));
  const server = await startCodeServer({ workspace: workspace.root, log: () => undefined });
  const browser = await launchBrowser();
  const rows: string[] = [];
  try {
    const page = browser.page;
    await openWorkbench(page, server.urlFor({ extensionDevelopmentPath: REPO_ROOT }));
    for (let i = 0; i < repeats; i++) {
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'KD-UDA: Open Results');
      await poll('the run picker', async () => quickPickIsOpen(page), 10_000, 10);
      // From choosing the run: the palette's typing is the harness's, not the panel's, time.
      const started = performance.now();
      await pickQuickPickItem(page, /bench/);
      const frame = webviewFrame(page);
      await poll('the table', async () => (await frame.locator('#results-table td[data-role="student"][data-target]').count()) === TARGETS.length, 60_000, 10);
      const table = performance.now() - started;
      await poll('the curves', async () => (await frame.locator('.chart canvas').count()) === 2, 60_000, 10);
      const curves = performance.now() - started;
      const switchStarted = performance.now();
      await frame.locator('label[for="metric-max"]').click();
      await poll('the max view', async () => ((await frame.locator('#results-table caption').textContent()) ?? '').includes('max over epochs'), 30_000, 10);
      const sort = performance.now() - switchStarted;
      rows.push(`| ${i + 1} | ${table.toFixed(0)} | ${curves.toFixed(0)} | ${sort.toFixed(0)} |`);
    }
  } catch (error) {
    await browser.page.screenshot({ path: path.join(os.tmpdir(), 'kd-uda-bench-panels-failed.png') }).catch(() => undefined);
    throw error;
  } finally {
    await browser.dispose();
    await server.dispose();
    await workspace.dispose();
  }
  console.log(`\nResults panel, ${EPOCHS} epochs x ${TARGETS.length} targets x ${ROLES.length} models (load ${os.loadavg()[0].toFixed(2)}); from picking the run in the quick pick; times include the harness's polling (10 ms) and Chromium's frame round-trips\n`);
  console.log('| run | pick to table painted, ms | to curves drawn, ms | last -> max switch, ms |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
