import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeJsonAtomic } from '../../src/runFolder/atomicFile';
import { EventLogWriter, parseEvents, readEvents } from '../../src/runFolder/eventLog';
import { createRunFolder } from '../../src/runFolder/runId';
import { epochEvent, stepEvent } from '../fixtures/runFolderFiles';

describe('run folder primitives', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-runfolder-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('gives runs started in the same second distinct ids, even when claimed concurrently', async () => {
    const now = new Date(2026, 10, 28, 9, 5, 7);
    const runs = await Promise.all(Array.from({ length: 5 }, () => createRunFolder(path.join(dir, 'runs'), 'digits mt', now)));
    assert.deepEqual(runs.map((run) => run.runId).sort(), [
      '20261128-090507-digits-mt',
      '20261128-090507-digits-mt-2',
      '20261128-090507-digits-mt-3',
      '20261128-090507-digits-mt-4',
      '20261128-090507-digits-mt-5',
    ]);
    assert.equal((await readdir(path.join(dir, 'runs'))).length, 5);
  });

  it('replaces a JSON file whole and leaves no temp file behind', async () => {
    const file = path.join(dir, 'status.json');
    await writeJsonAtomic(file, { version: 1, state: 'running' });
    await writeJsonAtomic(file, { version: 1, state: 'done' });
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { version: 1, state: 'done' });
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
      [],
    );
  });

  it('appends events as whole lines and reads them back with timestamps', async () => {
    const file = path.join(dir, 'events.jsonl');
    const log = await EventLogWriter.open(file);
    await log.append({ kind: 'epoch', epoch: 1, epochs: 2, beta: 0.1, losses: { ce: 0.5 }, meanTargetAccuracy: { student: 0.61 } });
    await log.append({ kind: 'eval', epoch: 1, accuracy: { student: { svhn: 0.61 } }, entropy: { student: { svhn: 0.2 } } });
    await log.close();
    const { events, badLines } = await readEvents(file);
    assert.deepEqual(badLines, []);
    assert.deepEqual(
      events.map((event) => event.kind),
      ['epoch', 'eval'],
    );
    assert.ok(!Number.isNaN(Date.parse(events[0].t)));
  });

  it('leaves a torn last line unconsumed and reports malformed complete lines by number', () => {
    const text = `${JSON.stringify(epochEvent(1, 2))}\nnot json\n${JSON.stringify(stepEvent(2, 1, 3))}\n{"t":"x","kind":"ep`;
    const parsed = parseEvents(text);
    assert.deepEqual(
      parsed.events.map((event) => event.kind),
      ['epoch', 'step'],
    );
    assert.deepEqual(
      parsed.badLines.map((bad) => bad.line),
      [2],
    );
    assert.match(parsed.badLines[0].message, /^events\.jsonl:2: not JSON/);
    assert.equal(parsed.consumed, text.lastIndexOf('\n') + 1);
    assert.deepEqual(
      parseEvents('{"kind":3}\n').badLines.map((bad) => bad.line),
      [1],
    );
  });

  it('keeps every event written before a hard kill', async () => {
    const file = path.join(dir, 'killed.jsonl');
    // The child appends events forever; SIGKILL lands somewhere in the middle of that.
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'fixtures', 'eventLogChild.js'), file], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve) => child.once('message', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const { events, badLines } = await readEvents(file);
    assert.ok(events.length > 20, `${events.length} events survived`);
    assert.deepEqual(badLines, [], 'no complete line is corrupt');
    events.forEach((event, i) => assert.equal(event.kind === 'step' && event.step, i, 'events are in order with none missing'));
  });
});
