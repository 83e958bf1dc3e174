import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readCheckpointDiffReport } from '../../src/checkpointDiff/readDiffReport';
import { diffReportFile } from '../../src/checkpointDiff/runCheckpoints';
import { readMetaJson, readResultsJson } from '../../src/runFolder/readRunFiles';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { startTraining } from '../../src/trainer/cli/train';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { checkpointMeta } from '../fixtures/runFolderFiles';
import { writeRunFolder } from '../fixtures/experiments';
import { assertClose } from './numericChecks';

// `kd-uda diff` as the extension spawns it (the real trainer bundle), on the checkpoints of a tiny
// KD-STDA run trained here on generated images.

const trainer = path.resolve(__dirname, '../../../dist/trainer.js');

/** The trainer run as the extension runs it: its output, and what it sends over the IPC channel. */
function runTrainer(args: string[]): Promise<{ code: number | null; out: string; err: string; messages: unknown[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [trainer, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    let err = '';
    const messages: unknown[] = [];
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('message', (message) => messages.push(message));
    child.on('close', (code) => resolve({ code, out, err, messages }));
  });
}

/** `text` as a regular expression matching it literally. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('kd-uda diff', () => {
  let root: string;
  let runDir: string;
  let student: string;
  let teacher: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-diff-'));
    const classes = { circle: 8, square: 8 };
    await createImageTree(path.join(root, 'data'), { src: classes, t1: classes });
    const file = await writeExperiment(
      root,
      'tiny',
      tinyExperiment({ name: 'tiny', data: { root: 'data', source: 'src', targets: ['t1'], split: { kind: 'holdout', testFraction: 0.25 } }, seed: 1 }),
    );
    await startBackend('wasm', () => undefined);
    const run = await startTraining({ file, runsDir: path.join(root, 'runs'), stop: { requested: false }, echo: () => undefined });
    assert.equal(run.state, 'done');
    runDir = run.runDir;
    student = path.join(runDir, 'checkpoints', 'student', 'epoch-1');
    teacher = path.join(runDir, 'checkpoints', 'teacher', 'epoch-1');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('compares student and teacher on the run’s target and source hold-out, as the run evaluated them', async () => {
    const { code, out, err, messages } = await runTrainer(['diff', student, teacher, '--backend', 'wasm']);
    assert.equal(code, 0, err);
    assert.match(out, /\[diff\] evaluating on t1 \(4 images\)/);
    assert.ok(
      messages.some((message) => isDeepStrictEqual(message, { kind: 'diff-progress', message: 'evaluating on t1 (4 images)' })),
      JSON.stringify(messages),
    );
    const file = diffReportFile(runDir, student, teacher);
    assert.match(path.basename(file), /^student-epoch-1--teacher-epoch-1\.[0-9a-f]{10}\.json$/);
    assert.match(out, new RegExp(`\\[diff\\] wrote ${literal(file)}`));
    const report = await readCheckpointDiffReport(file);
    const results = await readResultsJson(runDir);
    assert.equal(report.version, 2);
    assert.deepEqual(report.classNames, ['circle', 'square']);
    assert.deepEqual(
      report.domains.map((domain) => [domain.name, domain.kind, domain.images]),
      [
        ['t1', 'target', 4],
        ['source-holdout', 'source-holdout', 4],
      ],
    );
    for (const domain of report.domains) {
      assert.ok(domain.agreement >= 0 && domain.agreement <= 1, `agreement ${domain.agreement}`);
      assert.ok(domain.klAB >= 0 && domain.klBA >= 0);
      assert.equal(domain.a.accuracy, results.headline.accuracy.student[domain.name], `student on ${domain.name}: the run's own figure`);
      assert.equal(domain.b.accuracy, results.headline.accuracy.teacher[domain.name], `teacher on ${domain.name}: the run's own figure`);
      assert.deepEqual(domain.a.confusion, results.confusion.student[domain.name]);
      assert.equal(domain.accuracyDelta, domain.a.accuracy - domain.b.accuracy);
    }
    assert.deepEqual([report.a.role, report.a.architecture, report.a.label, report.a.runId], ['student', 'lenet5', 'student epoch-1', path.basename(runDir)]);
    assert.deepEqual([report.b.role, report.b.architecture], ['teacher', 'resnet-small']);
    for (const [side, role] of [
      [report.a, 'student'],
      [report.b, 'teacher'],
    ] as const) {
      assert.equal(side.cost.parameters, results.costs[role].parameters);
      assert.equal(side.cost.macsPerImage, results.costs[role].macsPerImage);
      assert.equal(side.cost.checkpointBytes, results.costs[role].checkpointBytes);
      assert.equal(
        side.layers.reduce((sum, layer) => sum + layer.params, 0),
        side.cost.parameters,
        'the layer table accounts for every parameter',
      );
    }
    assert.deepEqual(report.a.layers[0], { name: report.a.layers[0].name, className: 'InputLayer', outputShape: [16, 16, 3], params: 0 });
    assert.equal(report.architecture.same, false);
    assert.match(report.architecture.difference ?? '', /^layer \d+/);
    assert.equal(report.weights, undefined, 'no weight change between different architectures');

    const figures = report.representations!;
    assert.deepEqual(figures.sample.domains, [
      { name: 't1', kind: 'target', drawn: 4, of: 4 },
      { name: 'source-holdout', kind: 'source-holdout', drawn: 4, of: 4 },
    ]);
    assert.deepEqual(figures.sample.domain, [0, 0, 0, 0, 1, 1, 1, 1]);
    assert.deepEqual([...figures.sample.label].sort(), [0, 0, 0, 0, 1, 1, 1, 1], 'two test images of each class in each domain');
    assert.equal(figures.sample.seed, 1, "the run's seed");
    const flatten = report.a.layers.find((layer) => layer.name === figures.a.layer);
    assert.deepEqual([figures.a.layer, figures.a.features], ['flatten', flatten?.outputShape[0]], "the student's features: lenet5's default cut");
    assert.equal(figures.b.layer, 'pool', "the teacher's: resnet-small's pooled features");
    for (const side of [figures.a, figures.b]) {
      assert.deepEqual(
        side.embeddings.map((embedding) => [embedding.method, embedding.x.length, embedding.y.length]),
        [
          ['pca', 8, 8],
          ['umap', 8, 8],
        ],
      );
      assert.deepEqual(
        side.aDistance.map(({ target, trainImages, testImages }) => [target, trainImages, testImages]),
        [['t1', 2, 2]],
      );
      assert.ok(side.aDistance.every(({ aDistance }) => aDistance >= 0 && aDistance <= 2));
    }
    const names = (side: typeof report.a) => side.layers.map((layer) => layer.name);
    assert.ok(
      figures.similarity.layersA.every((name) => names(report.a).includes(name)),
      figures.similarity.layersA.join(),
    );
    assert.ok(
      figures.similarity.layersB.every((name) => names(report.b).includes(name)),
      figures.similarity.layersB.join(),
    );
    assert.ok(figures.similarity.layersA.includes('logits') && figures.similarity.layersB.length > figures.similarity.layersA.length);
    assert.equal(figures.similarity.images, 8);
    assert.ok(figures.similarity.cka.flat().every((value) => value >= 0 && value <= 1 + 1e-6));
  });

  it('a checkpoint against itself: full agreement, no divergence, no weight change', async () => {
    const out = path.join(root, 'self.json');
    const result = await runTrainer(['diff', student, student, '--out', out, '--backend', 'wasm']);
    assert.equal(result.code, 0, result.err);
    const report = await readCheckpointDiffReport(out);
    assert.equal(report.architecture.same, true);
    for (const domain of report.domains) assert.deepEqual([domain.agreement, domain.klAB, domain.klBA, domain.accuracyDelta], [1, 0, 0, 0]);
    assert.ok(report.weights && report.weights.length > 0);
    assert.deepEqual(
      report.weights.map((change) => change.layer),
      report.a.layers.filter((layer) => layer.params > 0).map((layer) => layer.name),
    );
    for (const change of report.weights) {
      assert.equal(change.relativeL2, 0, change.layer);
      assertClose(change.cosine, 1, { absolute: 1e-6 }, `${change.layer}: cosine`);
    }
    const figures = report.representations!;
    assert.deepEqual(figures.a, figures.b, 'the same embeddings and A-distances on both sides');
    assert.deepEqual(figures.similarity.layersA, figures.similarity.layersB);
    figures.similarity.cka.forEach((row, i) => assertClose(row[i], 1, { absolute: 1e-5 }, `CKA of ${figures.similarity.layersA[i]} with itself`));
  });

  it('--sample sets the images drawn per domain; 0 leaves the figures out', async () => {
    const none = path.join(root, 'no-figures.json');
    const result = await runTrainer(['diff', student, teacher, '--out', none, '--backend', 'wasm', '--sample', '0']);
    assert.equal(result.code, 0, result.err);
    assert.equal((await readCheckpointDiffReport(none)).representations, undefined);
    const three = path.join(root, 'three.json');
    assert.equal((await runTrainer(['diff', student, teacher, '--out', three, '--backend', 'wasm', '--sample', '3'])).code, 0);
    const drawn = (await readCheckpointDiffReport(three)).representations!.sample.domains.map((domain) => [domain.drawn, domain.of]);
    assert.deepEqual(drawn, [
      [3, 4],
      [3, 4],
    ]);
    const bad = await runTrainer(['diff', student, teacher, '--sample', 'many']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /kd-uda diff: --sample: "many" is not a whole number of images per domain/);
  });

  it('refuses two checkpoints with different class sets, naming both and the classes (exit 2, nothing written)', async () => {
    const other = path.join(root, 'three-classes');
    await cp(teacher, other, { recursive: true });
    const meta = await readMetaJson(other);
    await writeFile(path.join(other, 'meta.json'), JSON.stringify({ ...meta, classNames: ['circle', 'square', 'triangle'] }));
    const out = path.join(root, 'refused.json');
    const { code, err, messages } = await runTrainer(['diff', student, other, '--out', out, '--backend', 'wasm']);
    assert.equal(code, 2, err);
    const reason = `cannot compare ${student} (A) and ${other} (B): their class sets differ (only B has triangle). A: circle, square. B: circle, square, triangle.`;
    assert.ok(err.includes(`kd-uda diff: ${reason}`), err);
    assert.deepEqual(messages, [{ kind: 'diff-failed', reason }], 'the launcher is told the same, without reading stderr');
    assert.equal(existsSync(out), false);
  });

  it('data gone since the run: exit 1 with the reason, not a stack', async () => {
    const data = path.join(root, 'data');
    await rename(data, `${data}-moved`);
    try {
      const { code, err } = await runTrainer(['diff', student, teacher, '--out', path.join(root, 'gone.json'), '--backend', 'wasm']);
      assert.equal(code, 1, err);
      assert.match(err, new RegExp(`^kd-uda diff: cannot evaluate on the data of ${literal(student)}'s run: .*${literal(data)}`, 'm'));
      assert.doesNotMatch(err, /^\s+at /m, 'no stack trace');
    } finally {
      await rename(`${data}-moved`, data);
    }
  });

  it('bad arguments exit 2 with the usage', async () => {
    const one = await runTrainer(['diff', student]);
    assert.equal(one.code, 2);
    assert.match(one.err, /kd-uda diff: give two checkpoint folders/);
    assert.match(one.err, /Usage: kd-uda diff <checkpointA> <checkpointB>/);
    const missing = await runTrainer(['diff', student, path.join(root, 'nowhere'), '--out', path.join(root, 'x.json'), '--backend', 'wasm']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, new RegExp(`kd-uda diff: the checkpoint ${literal(path.join(root, 'nowhere'))} does not exist`));
    const notThere = await runTrainer(['diff', path.join(root, 'nowhere'), student]);
    assert.equal(notThere.code, 2);
    assert.equal(
      notThere.err,
      `kd-uda diff: the checkpoint ${path.join(root, 'nowhere')} does not exist\n`,
      "a first checkpoint that is not there is named, not the report's place",
    );
    const backend = await runTrainer(['diff', student, teacher, '--backend', 'bogus']);
    assert.equal(backend.code, 2, backend.err);
    assert.equal(
      backend.err,
      'kd-uda: unknown backend "bogus" in --backend; expected one of auto, tensorflow-gpu, tensorflow, wasm, cpu\n',
      'an expected failure, in one line',
    );
    const loose = path.join(root, 'loose-checkpoint');
    await cp(student, loose, { recursive: true });
    const outside = await runTrainer(['diff', loose, student]);
    assert.equal(outside.code, 2);
    assert.match(outside.err, /is not in a run folder, so there is no default place for the report: give --out FILE\.json/);
  });
});

describe('kd-uda eval on what is not there', () => {
  let root: string;
  let checkpoint: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-eval-'));
    await createImageTree(path.join(root, 'data'), { src: { a: 4, b: 4 }, t1: { a: 4, b: 4 } });
    // A checkpoint folder's meta.json is all eval reads before it needs the data.
    checkpoint = path.join(root, 'checkpoint');
    await writeRunFolder(checkpoint, {
      'meta.json': checkpointMeta({
        role: 'student',
        architecture: 'lenet5',
        epoch: 1,
        stepInEpoch: 1,
        globalStep: 1,
        data: { root: path.join(root, 'data'), layout: 'auto', source: 'src', targets: ['t1'], split: { kind: 'all', testFraction: 0.2 }, seed: 0 },
      }),
    });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('a folder that is no checkpoint, or none at all: exit 2 naming it and what a checkpoint holds, no stack', async () => {
    const data = path.join(root, 'data');
    const notCheckpoint = await runTrainer(['eval', data, data, '--backend', 'wasm']);
    assert.equal(notCheckpoint.code, 2, notCheckpoint.err);
    assert.match(
      notCheckpoint.err,
      new RegExp(
        `^kd-uda eval: ${literal(data)} is not a checkpoint folder: it has no meta\\.json \\(a checkpoint folder holds model\\.json, weights\\.bin and meta\\.json`,
        'm',
      ),
    );
    const gone = await runTrainer(['eval', path.join(root, 'gone'), data, '--backend', 'wasm']);
    assert.equal(gone.code, 2, gone.err);
    assert.match(gone.err, new RegExp(`^kd-uda eval: the checkpoint ${literal(path.join(root, 'gone'))} does not exist$`, 'm'));
    for (const { err } of [notCheckpoint, gone]) assert.doesNotMatch(err, /^\s+at /m, 'no stack trace');
  });

  it('--domain that the dataset lacks blames --domain, with the domains there are', async () => {
    const { code, err } = await runTrainer(['eval', checkpoint, path.join(root, 'data'), '--domain', 'nope', '--backend', 'wasm']);
    assert.equal(code, 2, err);
    assert.match(err, /^kd-uda eval: --domain: no domain "nope" in .*; its domains are "src", "t1"\.$/m);
    assert.doesNotMatch(err, /data\.source/);
  });
});
