import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readEvents } from '../../src/runFolder/eventLog';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { startTraining, UsageError } from '../../src/trainer/cli/train';
import { findUndecodableFiles, isDecodableHeader } from '../../src/datasetScan/imageHeaders';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree, makeImage } from '../fixtures/imageTree';

// The trainer as the extension spawns it: exit code, stderr and the IPC refusal are its contract.
const trainer = path.resolve(__dirname, '../../../dist/trainer.js');
const quiet = () => undefined;

function runTrainer(args: string[]): Promise<{ code: number | null; output: string; messages: unknown[] }> {
  const child = spawn(process.execPath, [trainer, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  const messages: unknown[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.on('message', (message) => messages.push(message));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, messages })));
}

describe('train checks what the experiment names before it creates a run folder', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-preflight-'));
    await createImageTree(path.join(root, 'data'), { src: { a: 6, b: 6 }, t1: { a: 6, b: 6 }, t2: { a: 6, c: 6 } });
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function refusal(name: string, fields: Parameters<typeof tinyExperiment>[0]): Promise<{ file: string; text: string; message: string }> {
    const file = await writeExperiment(root, name, tinyExperiment(fields));
    const runsDir = path.join(root, `runs-${name}`);
    const error = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet }).then(
      () => assert.fail('the run started'),
      (rejected: Error) => rejected,
    );
    assert.ok(error instanceof UsageError, error.stack);
    assert.equal(existsSync(runsDir), false, 'no run folder, not even the runs directory');
    return { file, text: await readFile(file, 'utf8'), message: error.message };
  }

  /** The 1-based line of the first line of `text` matching `pattern`. */
  function lineOf(text: string, pattern: RegExp): number {
    return text.split('\n').findIndex((line) => pattern.test(line)) + 1;
  }

  it('every problem at once, each on its field and line: a missing domain, a missing warm start, an unavailable backend', async () => {
    const { file, text, message } = await refusal('many', {
      data: { root: 'data', source: 'src', targets: ['t9'] },
      student: { architecture: 'lenet5', width: 0.5, warmStart: 'nowhere/epoch-1' },
      backend: 'tensorflow-gpu',
    });
    assert.match(
      message,
      new RegExp(`^${file}:${lineOf(text, /"t9"/)}:\\d+: data\\.targets\\[0\\]: no domain "t9" in .*its domains are "src", "t1", "t2"`, 'm'),
    );
    assert.match(
      message,
      new RegExp(
        `^${file}:${lineOf(text, /"warmStart"/)}:\\d+: student\\.warmStart: no checkpoint at ${path.join(root, 'nowhere/epoch-1')}: .*model\\.json does not exist`,
        'm',
      ),
    );
    assert.match(message, new RegExp(`^${file}:${lineOf(text, /"backend"/)}:\\d+: backend: .*tensorflow-gpu`, 'm'));
  });

  it('a missing root, a layout that does not fit, class sets that differ, split "folders" without its folders', async () => {
    assert.match((await refusal('noroot', { data: { root: 'gone', source: 'src', targets: ['t1'] } })).message, /:\d+:\d+: data\.root: .*gone does not exist/);
    assert.match(
      (await refusal('layout', { data: { root: 'data', source: 'src', targets: ['t1'], layout: 'office31' } })).message,
      /:\d+:\d+: data\.layout: is "office31" \(Office-31\), but .* ImageFolder/,
    );
    const classes = (await refusal('classes', { data: { root: 'data', source: 'src', targets: ['t2'] } })).message;
    assert.match(classes, /: data\.source: Class sets differ: domain "src" .* lacks class "c"/);
    assert.match(classes, /: data\.targets\[0\]: Class sets differ: domain "t2" .* lacks class "b"/);
    assert.match(
      (await refusal('folders', { data: { root: 'data', source: 'src', targets: ['t1'], split: { kind: 'folders' } } })).message,
      /: data\.split\.kind: is "folders", but .* no train\/ and test\//,
    );
  });

  it('a domain whose every image is undecodable by its header is refused, naming the files', async () => {
    for (const name of ['0.png', '1.jpg']) {
      await mkdir(path.join(root, 'data-junk', 'junk', 'a'), { recursive: true });
      await writeFile(path.join(root, 'data-junk', 'junk', 'a', name), '<html>not found</html>');
    }
    await createImageTree(path.join(root, 'data-junk'), { src: { a: 4 } });
    const { message } = await refusal('junk', { data: { root: 'data-junk', source: 'src', targets: ['junk'], split: { kind: 'all' } } });
    assert.match(
      message,
      /data\.targets\[0\]: 2 images of domain "junk" are not PNG, JPEG, BMP, GIF, WebP or TIFF by their first bytes, which leaves it no image to train on: .*0\.png, .*1\.jpg/,
    );
  });

  it('from the command line: exit 2, the problems on stderr without a stack, and the refusal told to the launcher', async () => {
    const file = await writeExperiment(root, 'cli', tinyExperiment({ data: { root: 'data', source: 'src', targets: ['t9'] } }));
    const runsDir = path.join(root, 'runs-cli');
    const { code, output, messages } = await runTrainer(['train', file, '--runs-dir', runsDir]);
    assert.equal(code, 2, output);
    assert.match(output, /data\.targets\[0\]: no domain "t9"/);
    assert.doesNotMatch(output, /^\s+at /m, 'no stack frames');
    assert.equal(existsSync(runsDir), false);
    assert.deepEqual(messages, [{ kind: 'train-refused', reason: output.trim() }]);
  });
});

describe('a run that fails on something unexpected', () => {
  it('says so in one line on the terminal; trainer.log keeps the stack', async (t) => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-unexpected-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    await createImageTree(path.join(root, 'data'), { src: { a: 4, b: 4 }, t1: { a: 4, b: 4 } });
    // Enough of a checkpoint for the checks before the run (its model.json exists), not for loading it.
    await mkdir(path.join(root, 'broken-checkpoint'));
    await writeFile(path.join(root, 'broken-checkpoint', 'model.json'), '{}');
    const file = await writeExperiment(
      root,
      'broken',
      tinyExperiment({
        data: { root: 'data', source: 'src', targets: ['t1'] },
        student: { architecture: 'lenet5', width: 0.5, warmStart: 'broken-checkpoint' },
      }),
    );
    const { code, output } = await runTrainer(['train', file, '--runs-dir', path.join(root, 'runs')]);
    assert.equal(code, 1, output);
    assert.match(output, /^failed: .*broken-checkpoint\/model\.json: not a tfjs layers model/m);
    assert.doesNotMatch(output, /^\s+at /m, 'no stack on the terminal');
    const [runId] = await readdir(path.join(root, 'runs'));
    assert.match(
      await readFile(path.join(root, 'runs', runId, RUN_FILES.log), 'utf8'),
      /failed: .*not a tfjs layers model.*\n.*Error: .*\n\s+at /,
      'the stack is in trainer.log',
    );
  });
});

describe('image headers', () => {
  it('knows every format the decoder reads by its first bytes, and nothing else', async () => {
    const sharp = (await import('sharp')).default;
    const image = sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } });
    for (const format of ['png', 'jpeg', 'gif', 'webp', 'tiff'] as const) {
      assert.ok(isDecodableHeader(await image.clone().toFormat(format).toBuffer()), format);
    }
    assert.ok(isDecodableHeader(Buffer.from('BM\0\0\0\0\0\0\0\0\0\0')), 'bmp');
    for (const junk of ['<html>', '', 'GIF80a', 'RIFF\0\0\0\0WAVE']) assert.equal(isDecodableHeader(Buffer.from(junk)), false, junk);
  });

  it('lists the files that are no image, once each, files that cannot be opened included', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-headers-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'good.png'), makeImage(0, 1));
    await writeFile(path.join(dir, 'text.png'), 'hello');
    assert.deepEqual(await findUndecodableFiles(['good.png', 'text.png', 'text.png', 'gone.jpg'].map((file) => path.join(dir, file))), [
      path.join(dir, 'text.png'),
      path.join(dir, 'gone.jpg'),
    ]);
  });
});

describe('a run with some undecodable images', () => {
  it('warns before training (terminal, trainer.log, events) and says at the epoch end how many it skipped and which', async (t) => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-skipped-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    await createImageTree(path.join(root, 'data'), { src: { a: 4, b: 4 }, t1: { a: 4, b: 4 } });
    const bad = path.join(root, 'data', 't1', 'a', 'bad.png');
    await writeFile(bad, 'not a png at all');
    const file = await writeExperiment(root, 'skips', tinyExperiment({ data: { root: 'data', source: 'src', targets: ['t1'], split: { kind: 'all' } } }));
    const lines: string[] = [];
    const { runDir, state } = await startTraining({ file, runsDir: path.join(root, 'runs'), stop: { requested: false }, echo: (line) => lines.push(line) });
    assert.equal(state, 'done');
    const warning = lines.findIndex(
      (line) => line === `warning: 1 image of domain "t1" is not PNG, JPEG, BMP, GIF, WebP or TIFF by its first bytes; it will be skipped: ${bad}`,
    );
    const training = lines.findIndex((line) => line.startsWith('student: '));
    assert.ok(warning >= 0 && warning < training, `warned before training:\n${lines.join('\n')}`);
    assert.ok(lines.includes(`epoch 1: skipped 1 image that could not be decoded: ${bad} (events.jsonl has each reason)`), lines.join('\n'));
    const log = await readFile(path.join(runDir, RUN_FILES.log), 'utf8');
    assert.match(log, /warning: 1 image of domain "t1"/);
    assert.match(log, /epoch 1: skipped 1 image that could not be decoded/);
    const { events } = await readEvents(path.join(runDir, RUN_FILES.events));
    assert.ok(events.some((event) => event.kind === 'data-problem' && event.code === 'undecodable-image' && event.path === bad));
    assert.ok(events.some((event) => event.kind === 'data-problem' && event.code === 'corrupt-image' && event.path === bad));
    assert.deepEqual(await readdir(path.join(root, 'runs')), [path.basename(runDir)]);
  });
});
