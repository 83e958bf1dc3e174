/**
 * Property-based tests over what the run folder holds and what webviews send: whatever the bytes
 * or the message, a typed value or a named problem (a RunFileError naming the file), never another
 * exception, and a message the host acts on only when it fits its contract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseCheckpointDiffReport } from '../../src/checkpointDiff/reportFormat';
import { parseCheckpointDiffPanelMessage, parseCheckpointDiffPanelPersistedState } from '../../src/protocol/checkpointDiffMessages';
import { parseCompareRunsPanelMessage, parseCompareRunsPanelPersistedState } from '../../src/protocol/compareRunsMessages';
import { parseDatasetPanelMessage, parseDatasetPanelPersistedState } from '../../src/protocol/datasetMessages';
import { parseResultsPanelMessage, parseResultsPanelPersistedState } from '../../src/protocol/resultsMessages';
import { parseCheckpointMeta, parseLatestCheckpoint } from '../../src/runFolder/checkpointFiles';
import { parseEvents } from '../../src/runFolder/eventLog';
import { RunFileError } from '../../src/runFolder/jsonShape';
import { parseRunResults } from '../../src/runFolder/results';
import { parseRunExperiment } from '../../src/runFolder/runExperiment';
import { parseRunLock } from '../../src/runFolder/runLock';
import { parseRunStatus } from '../../src/runFolder/runStatus';
import { runResults } from '../fixtures/runFolderFiles';

const FILE = '/runs/r/some.json';

/** JSON values, with the keys and values run-folder files use mixed in so that near misses are common. */
const nearMiss = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, 0, 1, -1, 0.5, Number.MAX_SAFE_INTEGER, '', 'done', 'running', 'student', 'mnist', 'epoch-1'),
    fc.string({ maxLength: 8 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'version',
        'state',
        'kind',
        'epoch',
        'accuracy',
        'headline',
        'targets',
        'roles',
        'role',
        'pid',
        'host',
        'data',
        'method',
        'name',
        '__proto__',
        'constructor',
      ),
      tie('value'),
      { maxKeys: 6 },
    ),
  ),
})).value;

function parsesOrNames(parse: (value: unknown, file: string) => unknown, value: unknown): void {
  try {
    parse(value, FILE);
  } catch (error) {
    assert.ok(error instanceof RunFileError, `not a RunFileError: ${String(error)}`);
    assert.ok(error.message.includes(FILE) || error.message.includes('some.json'), error.message);
  }
}

const READERS: [string, (value: unknown, file: string) => unknown][] = [
  ['status.json', parseRunStatus],
  ['lock.json', parseRunLock],
  ['results.json', parseRunResults],
  ['experiment.json', parseRunExperiment],
  ['latest.json', parseLatestCheckpoint],
  ['meta.json', parseCheckpointMeta],
];

for (const [name, parse] of READERS) {
  test(`${name}: any JSON value reads as the file's type or a RunFileError naming the file`, () => {
    fc.assert(
      fc.property(nearMiss, (value) => parsesOrNames(parse, value)),
      { numRuns: 300 },
    );
  });
}

test('results.json: a complete file with one field replaced by any JSON value reads or names that file', () => {
  const base = runResults({ targets: ['a', 'b'], headline: { epoch: 2, accuracy: { student: { a: 0.5, b: 0.25 } } } }) as unknown as Record<string, unknown>;
  fc.assert(
    fc.property(fc.constantFrom(...Object.keys(base)), nearMiss, (key, value) => parsesOrNames(parseRunResults, { ...base, [key]: value })),
    { numRuns: 300 },
  );
});

test('a diff report of any JSON value is a report or a RunFileError, never a throw', () => {
  fc.assert(
    fc.property(nearMiss, (value) => {
      const parsed = parseCheckpointDiffReport(value, FILE);
      if (parsed instanceof RunFileError) assert.ok(parsed.message.length > 0);
    }),
    { numRuns: 300 },
  );
});

test('events.jsonl of any text gives events and numbered bad lines; only a torn last line is passed over silently', () => {
  const line = fc.oneof(
    fc.string({ maxLength: 40 }),
    nearMiss.map((value) => JSON.stringify(value)),
    fc.constantFrom('{"t":"x","kind":"epoch","epoch":1,"epochs":2,"beta":0,"losses":{},"meanTargetAccuracy":{}}', '{"kind":"step"}'),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), (lines, torn) => {
      const text = lines.join('\n') + (torn ? '' : '\n');
      const { events, badLines } = parseEvents(text);
      const complete = torn ? lines.length - 1 : lines.length;
      const nonEmpty = lines.slice(0, Math.max(0, complete)).filter((entry) => entry.trim() !== '').length;
      assert.equal(events.length + badLines.length, nonEmpty, 'every complete line is an event or a named bad line');
      for (const bad of badLines) assert.ok(bad.line >= 1 && bad.line <= complete && bad.message.length > 0);
    }),
    { numRuns: 300 },
  );
});

const MESSAGE_PARSERS: [string, (value: unknown) => unknown][] = [
  ['results panel message', parseResultsPanelMessage],
  ['results panel state', parseResultsPanelPersistedState],
  ['compare runs message', parseCompareRunsPanelMessage],
  ['compare runs state', parseCompareRunsPanelPersistedState],
  ['dataset panel message', parseDatasetPanelMessage],
  ['dataset panel state', parseDatasetPanelPersistedState],
  ['checkpoint diff message', parseCheckpointDiffPanelMessage],
  ['checkpoint diff state', parseCheckpointDiffPanelPersistedState],
];

const webviewMessage = fc.oneof(
  nearMiss,
  fc.record(
    { type: fc.constantFrom('ready', 'openLog', 'openRun', 'openResults', 'export', 'refresh', 'selectTab', 'reveal', 'open') },
    { requiredKeys: ['type'] },
  ),
  fc
    .tuple(fc.constantFrom('ready', 'openLog', 'openRun', 'export', 'selectTab', 'reveal'), nearMiss)
    .map(([type, extra]) => ({ type, runDir: extra, path: extra, tab: extra, format: extra })),
);

for (const [name, parse] of MESSAGE_PARSERS) {
  test(`${name}: anything a webview posts is a typed value or refused, never a throw`, () => {
    fc.assert(
      fc.property(webviewMessage, (value) => {
        const parsed = parse(value);
        if (parsed === undefined) return;
        // What the host acts on is a plain object, rebuilt by the parser rather than the sender's own.
        assert.equal(typeof parsed, 'object');
        assert.ok(parsed !== null && !Array.isArray(parsed));
      }),
      { numRuns: 300 },
    );
  });
}
