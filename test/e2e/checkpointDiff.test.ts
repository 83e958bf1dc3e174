/**
 * End to end: a tiny KD-STDA run trained by the real trainer CLI, then from the palette KD-UDA:
 * Compare Checkpoints, picking the run and its student and teacher checkpoints; the panel shows
 * the agreement between the two on the target and the trainer's representation figures on the
 * Domain gap tab, logs and ignores a message it does not know, and comes back on the same tab and
 * domain after being hidden and after a reload.
 * Screenshots go to test-results/e2e-checkpoint-diff*.png.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { readCheckpointDiffReport } from '../../src/checkpointDiff/readDiffReport';
import { diffReportFile } from '../../src/checkpointDiff/runCheckpoints';
import { tinyShapesWorkspace } from '../fixtures/experiments';
import { editorTab, pickQuickPickItem, runCommand, screenshot, waitForWorkbench, webviewFrame } from '../harness/browser';
import { poll } from '../harness/poll';
import { runStage } from '../harness/stage';
import { openDevWorkbench, type DevWorkbench } from '../harness/devWorkbench';
import { REPO_ROOT } from '../harness/paths';

const SHOT = 'e2e-checkpoint-diff';

/** The report of the run's student against its teacher, both at epoch 2. */
const reportFileOf = (runDir: string) =>
  diffReportFile(runDir, path.join(runDir, 'checkpoints', 'student', 'epoch-2'), path.join(runDir, 'checkpoints', 'teacher', 'epoch-2'));
const PANEL_TITLE = 'Diff: student-epoch-2 ↔ teacher-epoch-2';

/** Trains the workspace's experiment with the trainer CLI, as a terminal user would. */
function trainFromTerminal(experiment: string, runsDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'trainer.js'), 'train', experiment, '--runs-dir', runsDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kd-uda train exited with ${code}:\n${output}`))));
  });
}

describe('Checkpoint Diff panel (code-server + Chromium)', { timeout: 300_000 }, () => {
  let workbench: DevWorkbench;
  let page: Page;
  let runDir: string;

  before(async () => {
    workbench = await openDevWorkbench({
      workspace: tinyShapesWorkspace({ epochs: 2, stepsPerEpoch: 6 }),
      prepare: async (workspace) => {
        const runsDir = path.join(workspace.root, 'runs');
        await trainFromTerminal(path.join(workspace.root, 'tiny.kdexp.json'), runsDir);
        runDir = path.join(runsDir, (await readdir(runsDir))[0]);
      },
    });
    page = workbench.page;
  });

  after(() => workbench?.dispose());

  /** Every line the extension host wrote to the "KD-UDA Lab" log channel so far. */
  async function logLines(): Promise<string[]> {
    const files = (await readdir(path.join(workbench.server.userDataDir, 'logs'), { recursive: true })).filter((file) => file.endsWith('KD-UDA Lab.log'));
    const texts = await Promise.all(files.map((file) => readFile(path.join(workbench.server.userDataDir, 'logs', file), 'utf8')));
    return texts.join('\n').split('\n');
  }

  const stage = (name: string, body: () => Promise<void>) => runStage(() => workbench, SHOT, name, body);

  it('compares the student with the teacher from the palette and shows their agreement on the target', async () => {
    await stage('compare', async () => {
      await runCommand(page, 'KD-UDA: Compare Checkpoints…');
      await pickQuickPickItem(page, 'tiny');
      await pickQuickPickItem(page, 'student · epoch 2');
      await pickQuickPickItem(page, 'teacher · epoch 2');
      await editorTab(page, PANEL_TITLE).waitFor({ state: 'visible', timeout: 120_000 });
      const frame = webviewFrame(page);
      const agreement = frame.locator('#agreement-sketches');
      await agreement.waitFor({ state: 'visible', timeout: 30_000 });
      const shown = ((await agreement.textContent()) ?? '').trim();
      assert.match(shown, /^\d{1,3}\.\d%$/);
      const report = await readCheckpointDiffReport(reportFileOf(runDir));
      const sketches = report.domains.find((domain) => domain.name === 'sketches')!;
      assert.equal(shown, `${(100 * sketches.agreement).toFixed(1)}%`, 'the panel shows the report’s agreement');
      assert.equal(await agreement.getAttribute('aria-label'), `Agreement on sketches: ${shown}`);
      assert.equal(
        ((await frame.locator('td[data-side="a"][data-domain="sketches"]').textContent()) ?? '').trim(),
        `${(100 * sketches.a.accuracy).toFixed(1)}%`,
      );
      await screenshot(page, SHOT);

      // Keyboard: the tabs move with the arrow keys.
      await frame.locator('vscode-panel-tab#tab-overview').focus();
      await page.keyboard.press('ArrowRight');
      await poll('the Per class tab to open from the keyboard', async () => (await frame.locator('vscode-panels').getAttribute('activeid')) === 'tab-classes');
      await frame.locator('#confusion-a').waitFor({ state: 'visible' });
      assert.equal(await frame.locator('#confusion-a td[data-true="cat"][data-predicted="cat"]').textContent(), String(sketches.a.confusion[0][0]));
      await screenshot(page, `${SHOT}-per-class`);
      await page.keyboard.press('ArrowRight');
      await poll('the Architecture tab', async () => (await frame.locator('vscode-panels').getAttribute('activeid')) === 'tab-architecture');
      assert.match((await frame.locator('#architecture-verdict').textContent()) ?? '', /^Different architectures/);
      await screenshot(page, `${SHOT}-architecture`);
      // The trainer's own representation figures: every sampled image of each domain drawn in both plots, and its CKA.
      await page.keyboard.press('ArrowRight');
      await poll('the Domain gap tab', async () => (await frame.locator('vscode-panels').getAttribute('activeid')) === 'tab-features');
      await frame.locator('#scatter-b svg').waitFor({ state: 'visible' });
      const figures = report.representations!;
      assert.ok(figures, 'the trainer wrote the representation figures');
      for (const side of ['a', 'b'] as const)
        for (const domain of figures.sample.domains) {
          const group = frame.locator(`#scatter-${side} path.point-group[data-domain="${domain.name}"]`);
          assert.equal(Number(await group.getAttribute('data-count')), domain.drawn, `${side}: ${domain.name}`);
          assert.equal(((await group.getAttribute('d')) ?? '').split('M').length - 1, domain.drawn, `${side}: ${domain.name}, drawn`);
        }
      assert.equal(await frame.locator('#cka-heatmap rect.cka-cell').count(), figures.similarity.layersA.length * figures.similarity.layersB.length);
      await screenshot(page, `${SHOT}-domain-gap`);
      await page.keyboard.press('ArrowLeft');
      await poll('back on the Architecture tab', async () => (await frame.locator('vscode-panels').getAttribute('activeid')) === 'tab-architecture');
      await page.keyboard.press('ArrowLeft');
      await poll('back on the Per class tab', async () => (await frame.locator('vscode-panels').getAttribute('activeid')) === 'tab-classes');
      await frame.locator('#domain-source-holdout').focus();
      await page.keyboard.press('Space');
      await poll(
        'the per-class table of the source hold-out',
        async () => (await frame.locator('#per-class-table caption').textContent()) === 'Per-class accuracy on source hold-out',
      );

      const violations = workbench.browser.consoleLines.filter((line) => /Content Security Policy|Refused to (load|execute|apply)/i.test(line));
      assert.deepEqual(violations, [], 'the panel loads nothing that its CSP refuses');
    });
  });

  it('ignores a webview message of an unknown type and logs it', async () => {
    await stage('bad-message', async () => {
      // What the webview's acquireVsCodeApi().postMessage calls in its host frame (the panel's own
      // frame cannot: VS Code deletes its window.parent), with a message the extension does not know.
      const hostFrame = page.locator('iframe.webview.ready').filter({ visible: true }).last().contentFrame();
      await hostFrame.locator('body').evaluate(() => {
        const post = (globalThis as unknown as { __vscode_post_message__: (channel: string, data: unknown) => void }).__vscode_post_message__;
        post('onmessage', { message: { type: 'deleteRun', runDir: '/' } });
      });
      const logged = await poll(
        'the KD-UDA Lab log to note the ignored message',
        async () => (await logLines()).find((line) => line.includes('ignored a message of unknown type or shape')),
        15_000,
      );
      assert.match(
        logged,
        /Checkpoint diff panel \(.*student-epoch-2--teacher-epoch-2\.[0-9a-f]{10}\.json\): ignored a message of unknown type or shape: \{"type":"deleteRun","runDir":"\/"\}/,
      );
      assert.equal(await editorTab(page, PANEL_TITLE).isVisible(), true, 'the panel is still there');
    });
  });

  it('comes back after being hidden and after the window reloads, on the tab and domain it was left on, without evaluating again', async () => {
    await stage('reload', async () => {
      const report = reportFileOf(runDir);
      const written = readFileSync(report, 'utf8');
      const restored = async (what: string) => {
        const frame = webviewFrame(page);
        await poll(
          what,
          async () =>
            (await frame.locator('vscode-panels').getAttribute('activeid')) === 'tab-classes' &&
            (await frame.locator('#per-class-table caption').textContent()) === 'Per-class accuracy on source hold-out',
          30_000,
        );
      };
      // Hidden behind another editor, the webview is discarded (no retainContextWhenHidden).
      await runCommand(page, 'File: New Untitled Text File');
      await editorTab(page, PANEL_TITLE).click();
      await restored('the panel shown again on its Per class tab and the source hold-out');
      await runCommand(page, 'Developer: Reload Window');
      await waitForWorkbench(page);
      await editorTab(page, PANEL_TITLE).waitFor({ state: 'visible', timeout: 30_000 });
      await editorTab(page, PANEL_TITLE).click();
      await restored('the restored panel on its Per class tab and the source hold-out');
      assert.equal(readFileSync(report, 'utf8'), written, 'the report was read, not written again');
      await screenshot(page, `${SHOT}-restored-after-reload`);
    });
  });
});
