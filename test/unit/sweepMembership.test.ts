import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RunFileError } from '../../src/runFolder/jsonShape';
import { parsePrepareMessage } from '../../src/runFolder/preparedRuns';
import { readSweepJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';

// sweep.json through its one reader: what prepare writes comes back typed, and a file that does
// not fit is refused naming the file and the field.

const membership = { version: 1, sweepId: 'digits-0a1b2c3d', index: 4, count: 6, point: { 'method.name': 'kd-mtda', seed: 1 } };

describe('sweep.json', () => {
  let runDir: string;
  let file: string;
  const write = (value: unknown) => writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));

  async function refused(problem: RunFileError['problem'], message: string): Promise<void> {
    await assert.rejects(readSweepJson(runDir), (error: unknown) => {
      assert.ok(error instanceof RunFileError, String(error));
      assert.equal(error.problem, problem, error.message);
      assert.equal(error.message, message);
      return true;
    });
  }

  before(async () => {
    runDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'kd-uda-sweep-json-')), '20261207-100000-digits');
    await mkdir(runDir, { recursive: true });
    file = path.join(runDir, RUN_FILES.sweep);
  });
  after(() => rm(path.dirname(runDir), { recursive: true, force: true }));

  it('reads what prepare writes, the point’s values as they are', async () => {
    await write(membership);
    assert.deepEqual(await readSweepJson(runDir), membership);
    await write({ ...membership, point: { teacher: { architecture: 'lenet5' }, 'data.targets': ['a', 'b'] } });
    assert.deepEqual((await readSweepJson(runDir)).point, { teacher: { architecture: 'lenet5' }, 'data.targets': ['a', 'b'] });
  });

  it('says a run of no sweep has none, and names what is not a sweep.json', async () => {
    await rm(file, { force: true });
    await refused('missing', `${file} is missing`);
    await write('{"version": 1, "sweepId": ');
    await assert.rejects(readSweepJson(runDir), /is not valid JSON/);
    await write({ ...membership, version: 2 });
    await refused('version', `${file} was written by a newer KD-UDA Lab: format version 2; this KD-UDA Lab reads up to 1. Update the extension.`);
  });

  it('names the field that does not fit', async () => {
    const { sweepId: _sweepId, ...noId } = membership;
    await write(noId);
    await refused('field', `${file}: sweepId is missing`);
    await write({ ...membership, sweepId: '' });
    await refused('field', `${file}: sweepId is empty`);
    await write({ ...membership, index: 1.5 });
    await refused('field', `${file}: index is not a whole number of 0 or more`);
    await write({ ...membership, count: '6' });
    await refused('field', `${file}: count is not a number`);
    await write({ ...membership, point: [1] });
    await refused('field', `${file}: point is not an object`);
    await write({ ...membership, index: 6 });
    await refused('field', `${file}: index 6 is not a point of a sweep of 6`);
  });
});

describe('the prepare message', () => {
  const prepared = {
    kind: 'runs-prepared',
    sweepId: 'digits-0a1b2c3d',
    count: 1,
    runs: [{ index: 0, point: { seed: 0 }, runDir: '/runs/a', state: 'queued', reused: false }],
  };

  it('parses prepared runs and a refusal, and nothing else', () => {
    assert.deepEqual(parsePrepareMessage(prepared), prepared);
    assert.deepEqual(parsePrepareMessage({ ...prepared, sweepId: null }), { ...prepared, sweepId: null });
    assert.deepEqual(parsePrepareMessage({ kind: 'prepare-refused', reason: 'x' }), { kind: 'prepare-refused', reason: 'x' });
    assert.equal(parsePrepareMessage({ kind: 'run-folder', runDir: '/runs/a', pid: 1 }), undefined);
    assert.equal(parsePrepareMessage({ ...prepared, runs: [{ ...prepared.runs[0], state: 'paused' }] }), undefined);
    assert.equal(parsePrepareMessage({ ...prepared, runs: [{ ...prepared.runs[0], reused: 'no' }] }), undefined);
  });
});
