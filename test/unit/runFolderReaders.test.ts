import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readCheckpointDiffReport } from '../../src/checkpointDiff/readDiffReport';
import { CHECKPOINT_DIFF_VERSION } from '../../src/checkpointDiff/reportFormat';
import { epochSummary } from '../../src/runFolder/epochSummary';
import { EventLogFollower, EventLogWriter, readEvents } from '../../src/runFolder/eventLog';
import { RunFileError } from '../../src/runFolder/jsonShape';
import { readExperimentJson, readLatestJson, readMetaJson, readResultsJson, readStatusJson } from '../../src/runFolder/readRunFiles';
import type { NewRunEvent, RunEvent } from '../../src/runFolder/runEvents';
import { parseRunFolderAnnouncement, parseTrainRefusal } from '../../src/runFolder/runFolderAnnouncement';
import { reportSide, sampleDiffReport } from '../fixtures/checkpointDiffReport';
import { checkpointMeta, epochEvent, eventLines, evalEvent, modelCost, runResults, stepEvent } from '../fixtures/runFolderFiles';

// Every file of the run folder through its one reader: what the trainer writes comes back typed,
// and a file that does not fit is refused with its name and the field, never misread.

/** `text` as a regular expression matching it literally. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Asserts that `reading` is refused as `problem`, with a message that ends in `ending`. */
async function refused(reading: Promise<unknown>, problem: RunFileError['problem'], ending: RegExp): Promise<void> {
  await assert.rejects(reading, (error: unknown) => {
    assert.ok(error instanceof RunFileError, String(error));
    assert.equal(error.problem, problem, error.message);
    assert.match(error.message, ending);
    return true;
  });
}

describe('run-folder readers', () => {
  let root: string;
  let runDir: string;
  const file = (...parts: string[]) => path.join(runDir, ...parts);
  const write = (name: string, value: unknown) => writeFile(file(name), typeof value === 'string' ? value : JSON.stringify(value));

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-readers-'));
    runDir = path.join(root, '20261201-100000-run');
    await mkdir(path.join(runDir, 'checkpoints', 'student', 'epoch-1'), { recursive: true });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('status.json: names the field it refuses, the file that is missing, not JSON or newer', async () => {
    await refused(readStatusJson(runDir), 'missing', new RegExp(`${literal(file('status.json'))} is missing$`));
    await write('status.json', { version: 1, state: 'running', pid: '12' });
    await refused(readStatusJson(runDir), 'field', new RegExp(`^${literal(file('status.json'))}: pid is not a number$`));
    await write('status.json', { version: 1 });
    await refused(readStatusJson(runDir), 'field', /status\.json: state is missing$/);
    await write('status.json', '{"version":1,"sta');
    await refused(readStatusJson(runDir), 'syntax', /status\.json is not valid JSON/);
    await write('status.json', { version: 2, shape: 'unknown' });
    await refused(readStatusJson(runDir), 'version', /status\.json was written by a newer KD-UDA Lab: format version 2; this KD-UDA Lab reads up to 1/);
    await write('status.json', { version: 1, state: 'failed', pid: 12, host: 'h', error: 'why' });
    assert.deepEqual(await readStatusJson(runDir), { version: 1, state: 'failed', pid: 12, host: 'h', error: 'why' });
  });

  it('results.json: names the model and domain whose number is not one', async () => {
    const results = runResults({
      targets: ['mnist-photo'],
      headline: { epoch: 2, accuracy: { teacher: { 'mnist-photo': 0.9 }, student: { 'mnist-photo': 0.8 } } },
      costs: { student: modelCost(10, 20) },
    });
    await write('results.json', results);
    assert.deepEqual(await readResultsJson(runDir), results);
    await write('results.json', {
      ...results,
      headline: { ...results.headline, accuracy: { teacher: { 'mnist-photo': 0.9 }, student: { 'mnist-photo': 'x' } } },
    });
    await refused(readResultsJson(runDir), 'field', /results\.json: headline\.accuracy\.student\.mnist-photo is not a number$/);
    await write('results.json', { ...results, costs: { student: { macsPerImage: 20 } } });
    await refused(readResultsJson(runDir), 'field', /results\.json: costs\.student\.parameters is missing$/);
    await write('results.json', { ...results, history: [{ epoch: 1, accuracy: {}, entropy: [] }] });
    await refused(readResultsJson(runDir), 'field', /results\.json: history\[0\]\.entropy is not an object$/);
    await write('results.json', { version: 2 });
    await refused(readResultsJson(runDir), 'version', /format version 2; this KD-UDA Lab reads up to 1/);
  });

  it('checkpoints/latest.json and meta.json: name the field they refuse', async () => {
    const latest = { version: 1, epoch: 1, stepInEpoch: 4, globalStep: 4, roles: { student: 'checkpoints/student/epoch-1' } };
    await write(path.join('checkpoints', 'latest.json'), latest);
    assert.deepEqual(await readLatestJson(runDir), latest);
    await write(path.join('checkpoints', 'latest.json'), { ...latest, roles: { student: 3 } });
    await refused(readLatestJson(runDir), 'field', new RegExp(`^${literal(file('checkpoints', 'latest.json'))}: roles\\.student is not a string$`));

    const checkpoint = file('checkpoints', 'student', 'epoch-1');
    const meta = checkpointMeta({ role: 'student', architecture: 'lenet5', epoch: 1, stepInEpoch: 4, globalStep: 4 });
    await write(path.join('checkpoints', 'student', 'epoch-1', 'meta.json'), meta);
    assert.deepEqual(await readMetaJson(checkpoint), meta);
    await write(path.join('checkpoints', 'student', 'epoch-1', 'meta.json'), { ...meta, inputShape: [28, 28] });
    await refused(readMetaJson(checkpoint), 'field', /meta\.json: inputShape has 2 entries, not \[height, width, channels\]$/);
    await write(path.join('checkpoints', 'student', 'epoch-1', 'meta.json'), { ...meta, data: { ...meta.data, split: { kind: 'random', testFraction: 0.2 } } });
    await refused(readMetaJson(checkpoint), 'field', /meta\.json: data\.split\.kind must be one of all, holdout, folders$/);
    await write(path.join('checkpoints', 'student', 'epoch-1', 'meta.json'), { ...meta, version: 3 });
    await refused(readMetaJson(checkpoint), 'version', /format version 3/);
  });

  it('an empty file is said to be empty (cut short), not "Unexpected end of JSON input"', async () => {
    for (const text of ['', '  \n']) {
      await write(path.join('checkpoints', 'latest.json'), text);
      await refused(
        readLatestJson(runDir),
        'syntax',
        new RegExp(`^${literal(file('checkpoints', 'latest.json'))} is empty: it was cut short while being written .*; restore it, or delete the run folder$`),
      );
    }
  });

  it('meta.json of a checkpoint that is not there, or of a folder that is no checkpoint, says which', async () => {
    const gone = file('checkpoints', 'student', 'epoch-9');
    await refused(readMetaJson(gone), 'missing', new RegExp(`^the checkpoint ${literal(gone)} does not exist$`));
    await refused(
      readMetaJson(runDir),
      'missing',
      new RegExp(
        `^${literal(runDir)} is not a checkpoint folder: it has no meta\\.json \\(a checkpoint folder holds model\\.json, weights\\.bin and meta\\.json`,
      ),
    );
    await refused(readMetaJson(file('status.json')), 'missing', /status\.json is not a checkpoint folder: it is a file/);
  });

  it('experiment.json: any field may be left out, but one that is there must fit', async () => {
    await write('experiment.json', { name: 'old', data: { root: '/d' }, unknownToThisVersion: { x: 1 } });
    assert.deepEqual(await readExperimentJson(runDir), { name: 'old', data: { root: '/d' }, unknownToThisVersion: { x: 1 } });
    await write('experiment.json', { name: 'x', data: { root: '/d', targets: ['a', 3] } });
    await refused(readExperimentJson(runDir), 'field', /experiment\.json: data\.targets\[1\] is not a string$/);
    await write('experiment.json', { version: 2, name: 'x' });
    await refused(readExperimentJson(runDir), 'version', /experiment\.json was written by a newer KD-UDA Lab: format version 2/);
  });

  it('a diff report: names the field, and tells a missing or newer report from a broken one', async () => {
    const report = sampleDiffReport(
      reportSide('student', file('checkpoints', 'student', 'epoch-1')),
      reportSide('teacher', file('checkpoints', 'teacher', 'epoch-1')),
    );
    await mkdir(file('diffs'));
    const reportFile = file('diffs', 'a--b.json');
    await refused(readCheckpointDiffReport(reportFile), 'missing', /a--b\.json is missing$/);
    await writeFile(reportFile, JSON.stringify(report));
    assert.deepEqual(await readCheckpointDiffReport(reportFile), report);
    await writeFile(reportFile, JSON.stringify({ ...report, a: { ...report.a, layers: 'none' } }));
    await refused(
      readCheckpointDiffReport(reportFile),
      'field',
      /a--b\.json: not a usable checkpoint diff report: a\.layers must be a list of \{name, params\}$/,
    );
    await writeFile(reportFile, JSON.stringify({ ...report, version: CHECKPOINT_DIFF_VERSION + 1 }));
    await refused(readCheckpointDiffReport(reportFile), 'version', /newer KD-UDA Lab/);
  });
});

describe('events.jsonl', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-events-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  /** One event of every kind: a kind added to RunEvent without one here does not compile. */
  const everyKind: { [K in RunEvent['kind']]: NewRunEvent & { kind: K } } = {
    start: {
      kind: 'start',
      pid: 41,
      backend: {
        requested: 'auto',
        name: 'wasm',
        tfjsBackend: 'wasm',
        package: '@tensorflow/tfjs-backend-wasm',
        version: '4.22.0',
        library: 'XNNPACK',
        threads: 2,
        simd: true,
        gpu: false,
        skipped: [{ name: 'tensorflow', reason: 'not installed', fix: 'npm run setup:native' }],
        warnings: [],
        startupMs: 120,
      },
    },
    resume: {
      kind: 'resume',
      pid: 42,
      backend: {
        requested: 'wasm',
        name: 'wasm',
        tfjsBackend: 'wasm',
        package: '@tensorflow/tfjs-backend-wasm',
        version: '4.22.0',
        library: 'XNNPACK',
        threads: 2,
        simd: true,
        gpu: false,
        skipped: [],
        warnings: ['slow'],
        startupMs: 80,
      },
    },
    step: { kind: 'step', epoch: 1, step: 3, steps: 10, losses: { 'student.ce': 0.7, 'student.dann': 0.69 } },
    eval: { kind: 'eval', epoch: 1, accuracy: { student: { usps: 0.5, 'source-holdout': 0.9 } }, entropy: { student: { usps: 1.2, 'source-holdout': 0.1 } } },
    checkpoint: { kind: 'checkpoint', epoch: 1, stepInEpoch: 10, globalStep: 10, roles: { student: 'checkpoints/student/epoch-1' } },
    epoch: { kind: 'epoch', epoch: 1, epochs: 5, beta: 0.1, losses: { 'student.ce': 0.8 }, meanTargetAccuracy: { student: 0.5 } },
    results: {
      kind: 'results',
      headline: { label: 'last epoch (no target labels used)', epoch: 5, accuracy: { student: { usps: 0.6 } }, meanTarget: { student: 0.6 } },
    },
    error: { kind: 'error', message: 'the student\'s loss term "ce" is NaN', role: 'student', term: 'ce' },
    'data-problem': { kind: 'data-problem', code: 'corrupt-image', message: 'cannot decode', domain: 'usps', path: '/d/usps/0/x.png' },
  };

  it('reads back every kind of event as it was written, stamped with its time', async () => {
    const file = path.join(root, 'every-kind.jsonl');
    const log = await EventLogWriter.open(file);
    for (const event of Object.values(everyKind)) await log.append(event);
    await log.close();
    const { events, badLines } = await readEvents(file);
    assert.deepEqual(badLines, []);
    assert.deepEqual(
      events.map(({ t: _t, ...event }) => event),
      Object.values(everyKind),
    );
    assert.ok(events.every((event) => !Number.isNaN(Date.parse(event.t))));
  });

  it('skips a line that is not an event, naming the file, the line and the field', async () => {
    const file = path.join(root, 'broken.jsonl');
    const lines = [
      stepEvent(1, 1, 2),
      { ...stepEvent(1, 2, 2), losses: { ce: 'x' } },
      { t: 't', kind: 'log', message: 'hello' },
      { ...epochEvent(1, 2), meanTargetAccuracy: undefined },
      'not json',
      evalEvent(1, { student: { usps: 0.5 } }),
    ];
    await writeFile(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
    const { events, badLines } = await readEvents(file);
    assert.deepEqual(
      events.map((event) => event.kind),
      ['step', 'eval'],
    );
    assert.deepEqual(
      badLines.map((bad) => bad.message.slice(file.length).replace(/(not JSON): .*/, '$1')),
      [':2: losses.ce is not a number', ':3: kind "log" is not one this KD-UDA Lab knows', ':4: meanTargetAccuracy is missing', ':5: not JSON'],
    );
  });

  it('follows a growing log: each read gives only the lines appended since, numbered in the file', async () => {
    const file = path.join(root, 'growing.jsonl');
    const follower = new EventLogFollower(file);
    assert.deepEqual((await follower.read()).events, [], 'no file yet: nothing');
    await writeFile(file, eventLines([stepEvent(1, 1, 2), stepEvent(1, 2, 2)]));
    assert.deepEqual(
      (await follower.read()).events.map((event) => event.kind === 'step' && event.step),
      [1, 2],
    );
    // A line still being written is left for the next read.
    const torn = JSON.stringify(epochEvent(1, 2));
    await appendFile(file, `not json\n${torn.slice(0, 10)}`);
    const second = await follower.read();
    assert.deepEqual([second.events, second.badLines.map((bad) => bad.line)], [[], [3]]);
    await appendFile(file, `${torn.slice(10)}\n`);
    assert.deepEqual((await follower.read()).events, [epochEvent(1, 2)]);
    assert.deepEqual((await follower.read()).events, [], 'nothing new');
  });

  it('says an epoch in words, as the trainer logs it and the host shows progress', () => {
    assert.equal(
      epochSummary(epochEvent(2, 20, { meanTargetAccuracy: { teacher: 0.7134, student: 0.64 } })),
      'epoch 2/20: teacher 71.3%, student 64.0% mean target accuracy',
    );
  });
});

describe('the run-folder announcement', () => {
  it('is told from any other message a trainer may send', () => {
    assert.deepEqual(parseRunFolderAnnouncement({ kind: 'run-folder', runDir: '/runs/r', pid: 7 }), { kind: 'run-folder', runDir: '/runs/r', pid: 7 });
    for (const other of [undefined, 'run folder: /runs/r', { kind: 'run-folder', runDir: '/runs/r' }, { kind: 'progress', runDir: '/runs/r', pid: 7 }]) {
      assert.equal(parseRunFolderAnnouncement(other), undefined, JSON.stringify(other));
    }
  });

  it('a refusal to start is told from the announcement and other messages', () => {
    assert.deepEqual(parseTrainRefusal({ kind: 'train-refused', reason: 'x.kdexp.json:3:5: data.root: gone' }), {
      kind: 'train-refused',
      reason: 'x.kdexp.json:3:5: data.root: gone',
    });
    for (const other of [{ kind: 'run-folder', runDir: '/runs/r', pid: 7 }, { kind: 'train-refused' }, { kind: 'diff-failed', reason: 'x' }]) {
      assert.equal(parseTrainRefusal(other), undefined, JSON.stringify(other));
    }
  });
});
