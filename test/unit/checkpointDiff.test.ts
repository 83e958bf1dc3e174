import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { comparePredictions, confusionMatrix, perClassAccuracy, scoreModel } from '../../src/checkpointDiff/predictionComparison';
import { parseDiffMessage } from '../../src/checkpointDiff/diffMessages';
import { CHECKPOINT_DIFF_VERSION, parseCheckpointDiffReport } from '../../src/checkpointDiff/reportFormat';
import { reportSide, sampleDiffReport } from '../fixtures/checkpointDiffReport';
import {
  checkpointLabel,
  defaultCheckpointPair,
  diffReportComparesPair,
  diffReportFile,
  diffReportPairLabel,
  runDirOf,
} from '../../src/checkpointDiff/runCheckpoints';
import { listCheckpoints } from '../../src/runFolder/listCheckpoints';
import { architectureDifference, compareWeights, readCheckpointWeights, type NamedWeight } from '../../src/checkpointDiff/weightChange';
import { parseCheckpointDiffPanelMessage, parseCheckpointDiffPanelPersistedState } from '../../src/protocol/checkpointDiffMessages';
import { assertClose } from './numericChecks';
import { checkpointMeta } from '../fixtures/runFolderFiles';

// The checkpoint diff's pure core on values worked out by hand.

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('prediction comparison', () => {
  it('agreement and KL both ways, on two images of two classes', () => {
    // Image 1: both uniform (a tie goes to class 0 for both: they agree, KL 0). Image 2: A says
    // [2, 0], B says [0, 2]: softmax [e²/(e²+1), 1/(e²+1)] and its mirror, so KL = 2 tanh(1) each way.
    const result = comparePredictions(new Float32Array([0, 0, 2, 0]), new Float32Array([0, 0, 0, 2]), 2);
    assert.equal(result.images, 2);
    assert.equal(result.agreement, 0.5);
    assertClose(result.klAB, Math.tanh(1), { absolute: 1e-6 }, 'KL(A||B)');
    assertClose(result.klBA, Math.tanh(1), { absolute: 1e-6 }, 'KL(B||A)');
  });

  it('keeps the two KL directions apart', () => {
    // p = [1/2, 1/2], q = softmax([ln 3, 0]) = [3/4, 1/4].
    const result = comparePredictions([0, 0], [Math.log(3), 0], 2);
    assertClose(result.klAB, 0.5 * Math.log(4 / 3), { absolute: 1e-6 }, 'KL(p||q) = ½ ln(4/3)');
    assertClose(result.klBA, 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5), { absolute: 1e-6 }, 'KL(q||p) = ¾ ln(3/2) + ¼ ln(1/2)');
    assert.equal(result.agreement, 1, 'a tie goes to class 0, which is also B’s top class');
  });

  it('stays finite on huge logits and is 0 between identical predictions', () => {
    const result = comparePredictions([1000, -1000, 0, 5], [1000, -1000, 0, 5], 2);
    assert.deepEqual(result, { images: 2, agreement: 1, klAB: 0, klBA: 0 });
    assert.ok(Number.isFinite(comparePredictions([1000, -1000], [-1000, 1000], 2).klAB));
  });

  it('refuses logit matrices that do not match', () => {
    assert.throws(() => comparePredictions([0, 0, 0], [0, 0, 0], 2), /do not match: 3 and 3 values for 2 classes/);
    assert.throws(() => comparePredictions([0, 0], [0, 0, 0, 0], 2), /2 and 4 values/);
  });

  it('confusion, accuracy and per-class accuracy, a class without images scoring null', () => {
    const labels = [0, 1, 1, 2];
    // 4 images x 4 classes (class 3 has no images); predictions 0, 2, 1, 2.
    const four = [5, 0, 0, 0, 0, 0, 1, 0, 0, 3, 1, 0, 0, 0, 9, 0];
    assert.deepEqual(confusionMatrix(labels, four, 4), [
      [1, 0, 0, 0],
      [0, 1, 1, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
    const score = scoreModel(labels, four, 4);
    assert.equal(score.accuracy, 3 / 4);
    assert.deepEqual(score.perClass, [1, 0.5, 1, null]);
    assert.deepEqual(
      perClassAccuracy([
        [0, 0],
        [2, 2],
      ]),
      [null, 0.5],
    );
  });
});

describe('weight change', () => {
  const weight = (name: string, ...values: number[]): NamedWeight => ({ name, shape: [values.length], values: new Float32Array(values) });

  it('relative L2 and cosine per layer, all of a layer’s weights together', () => {
    const a = [weight('conv/kernel', 3, 4), weight('conv/bias', 0), weight('dense/kernel', 1, 0), weight('bn/gamma', 0, 0), weight('head/kernel', 0)];
    const b = [weight('conv_7/kernel', 3, 4), weight('conv_7/bias', 5), weight('dense_7/kernel', 0, 1), weight('bn_7/gamma', 0, 0), weight('head_7/kernel', 2)];
    const changes = compareWeights(a, b);
    assert.deepEqual(
      changes.map((change) => [change.layer, change.params]),
      [
        ['conv', 3],
        ['dense', 2],
        ['bn', 2],
        ['head', 1],
      ],
    );
    // conv: A = (3, 4, 0), B = (3, 4, 5): ||A - B|| = 5 = ||A||; cos = 25 / (5 · √50) = 1/√2.
    assertClose(changes[0].relativeL2, 1, { absolute: 1e-6 }, 'conv relative L2');
    assertClose(changes[0].cosine, Math.SQRT1_2, { absolute: 1e-6 }, 'conv cosine');
    // dense: orthogonal unit vectors.
    assertClose(changes[1].relativeL2, Math.SQRT2, { absolute: 1e-6 }, 'dense relative L2');
    assertClose(changes[1].cosine, 0, { absolute: 1e-6 }, 'dense cosine');
    // bn: zero and unchanged; head: from zero to non-zero.
    assert.deepEqual([changes[2].relativeL2, changes[2].cosine], [0, null]);
    assert.deepEqual([changes[3].relativeL2, changes[3].cosine], [null, null]);
  });

  it('refuses weight lists that do not pair up', () => {
    assert.throws(() => compareWeights([weight('a/k', 1)], []), /1 and 0 weight tensors/);
    assert.throws(() => compareWeights([weight('a/k', 1)], [weight('a/k', 1, 2)]), /weight 1 \(a\/k\) has 1 values in A and 2 in B/);
  });

  it('names the first architectural difference', () => {
    const row = (name: string, className: string, outputShape: number[], params: number) => ({ name, className, outputShape, params });
    const lenet = [row('image', 'InputLayer', [16, 16, 3], 0), row('conv1', 'Conv2D', [16, 16, 6], 456)];
    assert.equal(
      architectureDifference(
        lenet,
        lenet.map((layer) => ({ ...layer, name: `${layer.name}_2` })),
      ),
      undefined,
      'names do not matter',
    );
    assert.equal(architectureDifference(lenet, [lenet[0], row('conv1', 'Dense', [6], 456)]), 'layer 2: conv1 is Conv2D in A, conv1 is Dense in B');
    assert.equal(architectureDifference(lenet, [lenet[0], row('conv1', 'Conv2D', [16, 16, 12], 912)]), 'layer 2 (conv1): output 16x16x6 in A, 16x16x12 in B');
    assert.equal(architectureDifference(lenet, [lenet[0], row('conv1', 'Conv2D', [16, 16, 6], 450)]), 'layer 2 (conv1): 456 parameters in A, 450 in B');
    assert.equal(architectureDifference(lenet, lenet.slice(0, 1)), 'A has 2 layers, B has 1');
  });

  describe('reading weights from model.json + weights files', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-weights-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    const floats = (...values: number[]) => Buffer.from(new Float32Array(values).buffer);

    it('reads every float32 weight in manifest order, across several weights files', async () => {
      const manifest = [
        {
          paths: ['./part1.bin', './part2.bin'],
          weights: [
            { name: 'conv/kernel', shape: [1, 3], dtype: 'float32' },
            { name: 'conv/bias', shape: [1] },
          ],
        },
        { paths: ['./other.bin'], weights: [{ name: 'logits/kernel', shape: [2], dtype: 'float32' }] },
      ];
      await writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: manifest }));
      // The first weight straddles part1 and part2 (one float in part1, two in part2).
      await writeFile(path.join(dir, 'part1.bin'), floats(1));
      await writeFile(path.join(dir, 'part2.bin'), Buffer.concat([floats(2, 3), floats(-0.5)]));
      await writeFile(path.join(dir, 'other.bin'), floats(7, 8));
      const weights = await readCheckpointWeights(dir);
      assert.deepEqual(
        weights.map((w) => [w.name, w.shape, [...w.values]]),
        [
          ['conv/kernel', [1, 3], [1, 2, 3]],
          ['conv/bias', [1], [-0.5]],
          ['logits/kernel', [2], [7, 8]],
        ],
      );
    });

    it('names the file and the weight when the weights cannot be read', async () => {
      await writeFile(
        path.join(dir, 'model.json'),
        JSON.stringify({ weightsManifest: [{ paths: ['./w.bin'], weights: [{ name: 'fc/kernel', shape: [4] }] }] }),
      );
      await writeFile(path.join(dir, 'w.bin'), floats(1, 2));
      await assert.rejects(
        readCheckpointWeights(dir),
        new RegExp(
          `${path.join(dir, 'model.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: weight "fc/kernel" needs bytes 0..16 but the weights files hold 8`,
        ),
      );
      await writeFile(
        path.join(dir, 'model.json'),
        JSON.stringify({ weightsManifest: [{ paths: ['./w.bin'], weights: [{ name: 'q/kernel', shape: [2], dtype: 'int32' }] }] }),
      );
      await assert.rejects(readCheckpointWeights(dir), /weight "q\/kernel" is int32; only float32 weights can be compared/);
      await writeFile(path.join(dir, 'model.json'), '{}');
      await assert.rejects(readCheckpointWeights(dir), /model\.json: no "weightsManifest"/);
    });
  });
});

describe('a run folder’s checkpoints', () => {
  let runDir: string;
  before(async () => {
    runDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'kd-uda-ckpts-')), '20260101-000000-tiny');
    const write = async (role: string, set: string, meta: { architecture: string; epoch: number; globalStep: number }) => {
      await mkdir(path.join(runDir, 'checkpoints', role, set, 'discriminator'), { recursive: true });
      await writeFile(path.join(runDir, 'checkpoints', role, set, 'meta.json'), JSON.stringify(checkpointMeta({ role, stepInEpoch: 4, ...meta })));
      await writeFile(path.join(runDir, 'checkpoints', role, set, 'model.json'), '{}');
      await writeFile(path.join(runDir, 'checkpoints', role, set, 'weights.bin'), '');
    };
    await write('student', 'epoch-1', { architecture: 'lenet5', epoch: 1, globalStep: 4 });
    await write('student', 'epoch-2', { architecture: 'lenet5', epoch: 2, globalStep: 8 });
    await write('teacher-t2', 'epoch-2', { architecture: 'resnet-small', epoch: 2, globalStep: 8 });
    await write('teacher-t1', 'epoch-2', { architecture: 'resnet-small', epoch: 2, globalStep: 8 });
  });
  after(() => rm(path.dirname(runDir), { recursive: true, force: true }));

  it('compares the latest student with the first teacher by default, else the two newest', async () => {
    const entries = await listCheckpoints(runDir);
    const pair = defaultCheckpointPair(entries);
    assert.deepEqual(
      pair?.map((entry) => `${entry.role}/${entry.set}`),
      ['student/epoch-2', 'teacher-t1/epoch-2'],
    );
    assert.deepEqual(
      defaultCheckpointPair(entries.filter((entry) => entry.role === 'student'))?.map((entry) => entry.set),
      ['epoch-2', 'epoch-1'],
      'no teacher: the two newest',
    );
    assert.equal(defaultCheckpointPair(entries.slice(0, 1)), undefined);
  });

  it('names reports after both checkpoints, qualifying one from another run by its run id', () => {
    const student = path.join(runDir, 'checkpoints', 'student', 'epoch-2');
    const teacher = path.join(runDir, 'checkpoints', 'teacher-t1', 'epoch-2');
    const foreign = path.join(path.dirname(runDir), '20260202-000000-other', 'checkpoints', 'student', 'epoch-5');
    assert.equal(checkpointLabel(student), 'student epoch-2');
    assert.equal(checkpointLabel('/somewhere/my-model'), 'my-model');
    assert.equal(runDirOf(student), runDir);
    assert.equal(runDirOf('/somewhere/my-model'), undefined);
    assert.match(
      diffReportFile(runDir, student, teacher),
      new RegExp(`^${literal(path.join(runDir, 'diffs', 'student-epoch-2--teacher-t1-epoch-2.'))}[0-9a-f]{10}\\.json$`),
    );
    assert.match(
      diffReportFile(runDir, student, foreign),
      new RegExp(`^${literal(path.join(runDir, 'diffs', 'student-epoch-2--20260202-000000-other-student-epoch-5.'))}[0-9a-f]{10}\\.json$`),
    );
    assert.deepEqual(diffReportPairLabel(diffReportFile(runDir, student, teacher)), ['student-epoch-2', 'teacher-t1-epoch-2'], 'the title leaves the hash out');
    assert.deepEqual(diffReportPairLabel('/r/diffs/student-epoch-2--teacher-epoch-2.json'), ['student-epoch-2', 'teacher-epoch-2']);
  });

  it('gives different pairs that read the same different reports, and the same pair the same one', () => {
    const student = path.join(runDir, 'checkpoints', 'student', 'epoch-2');
    // Two folders of the same name outside any run, and two roles whose labels read the same.
    const names = [
      diffReportFile(runDir, student, '/x/epoch-3'),
      diffReportFile(runDir, student, '/y/epoch-3'),
      diffReportFile(runDir, student, path.join(runDir, 'checkpoints', 'teacher-a', 'epoch-3')),
      diffReportFile(runDir, student, path.join(runDir, 'checkpoints', 'teacher', 'a-epoch-3')),
      diffReportFile(runDir, '/x/epoch-3', student),
    ];
    assert.equal(new Set(names).size, names.length, names.join('\n'));
    assert.equal(path.basename(names[0]).split('.')[0], path.basename(names[1]).split('.')[0], 'the readable part is the same; the hash tells them apart');
    assert.equal(diffReportFile(runDir, student, '/x/epoch-3'), diffReportFile(runDir, `${student}/`, '/x/../x/epoch-3'), 'the same folders, however written');
  });

  it('reuses a report only when it compares the very folders asked for', () => {
    const student = path.join(runDir, 'checkpoints', 'student', 'epoch-2');
    const report = { a: { dir: student }, b: { dir: '/x/epoch-3' } };
    assert.equal(diffReportComparesPair(report, student, '/x/epoch-3'), true);
    assert.equal(diffReportComparesPair(report, `${student}/`, '/x/./epoch-3'), true, 'the same folders, however written');
    assert.equal(diffReportComparesPair(report, student, '/y/epoch-3'), false, 'another B of the same name');
    assert.equal(diffReportComparesPair(report, '/x/epoch-3', student), false, 'A and B swapped');
    for (const other of [null, [], {}, { a: { dir: student } }, { a: { dir: student }, b: { dir: 3 } }, { a: student, b: '/x/epoch-3' }]) {
      assert.equal(diffReportComparesPair(other, student, '/x/epoch-3'), false, JSON.stringify(other));
    }
  });
});

describe('the diff report and the panel messages', () => {
  const report = sampleDiffReport(reportSide('student', '/runs/r/checkpoints/student'), reportSide('teacher', '/runs/r/checkpoints/teacher'));

  it('accepts a report, refuses a newer version and names missing fields', () => {
    const copy: unknown = JSON.parse(JSON.stringify(report));
    assert.deepEqual(parseCheckpointDiffReport(copy, 'r.json'), report);
    const newer = parseCheckpointDiffReport({ ...report, version: CHECKPOINT_DIFF_VERSION + 1 }, '/runs/r/diffs/x.json');
    assert.ok(newer instanceof Error);
    assert.ok(
      newer.message.startsWith(
        `/runs/r/diffs/x.json was written by a newer KD-UDA Lab (diff format ${CHECKPOINT_DIFF_VERSION + 1}; this one reads up to ${CHECKPOINT_DIFF_VERSION})`,
      ),
      newer.message,
    );
    const broken = parseCheckpointDiffReport({ ...report, b: { ...report.b, cost: undefined }, domains: [{ name: 't' }] }, 'x.json');
    assert.ok(broken instanceof Error);
    assert.match(
      broken.message,
      /^x\.json: not a usable checkpoint diff report: b\.cost must be an object with parameters; domains\[0\] must be a domain comparison/,
    );
    const refusal = (value: unknown): string => {
      const parsed = parseCheckpointDiffReport(value, 'x.json');
      assert.ok(parsed instanceof Error, 'refused');
      return parsed.message;
    };
    assert.match(refusal([]), /x\.json: not a checkpoint diff report \(expected a JSON object\)/);
    assert.match(refusal({ version: 'one' }), /no numeric "version"/);
  });

  it("tells the trainer's diff messages from anything else it may send", () => {
    assert.deepEqual(parseDiffMessage({ kind: 'diff-progress', message: 'evaluating on t1' }), { kind: 'diff-progress', message: 'evaluating on t1' });
    assert.deepEqual(parseDiffMessage({ kind: 'diff-failed', reason: 'class sets differ' }), { kind: 'diff-failed', reason: 'class sets differ' });
    for (const other of ['[diff] evaluating on t1', { kind: 'diff-failed' }, { kind: 'run-folder', runDir: '/r', pid: 1 }, null])
      assert.equal(parseDiffMessage(other), undefined, JSON.stringify(other));
  });

  it('accepts only the intents the webview sends', () => {
    assert.deepEqual(parseCheckpointDiffPanelMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseCheckpointDiffPanelMessage({ type: 'openReport' }), { type: 'openReport' });
    assert.deepEqual(parseCheckpointDiffPanelMessage({ type: 'recompute' }), { type: 'recompute' });
    for (const message of [
      null,
      'ready',
      [],
      {},
      { type: 'snapshot' },
      { type: 'ready', extra: 1 },
      { type: 'openReport', file: '/etc/passwd' },
      { type: 'recompute', a: '/elsewhere/checkpoint' },
      { type: 'rerun' },
    ]) {
      assert.equal(parseCheckpointDiffPanelMessage(message), undefined, JSON.stringify(message));
    }
  });

  it('restores only a well-formed persisted state', () => {
    const file = '/runs/r/diffs/a--b.json';
    assert.deepEqual(parseCheckpointDiffPanelPersistedState({ reportFile: file, tab: 'classes', domain: 't1' }), {
      reportFile: file,
      tab: 'classes',
      domain: 't1',
    });
    assert.deepEqual(parseCheckpointDiffPanelPersistedState({ reportFile: file, tab: 'nonsense', domain: 3 }), { reportFile: file });
    assert.equal(parseCheckpointDiffPanelPersistedState({ reportFile: '' }), undefined);
    assert.equal(parseCheckpointDiffPanelPersistedState(null), undefined);
  });
});
