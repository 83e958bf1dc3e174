import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LatestOnly, type Outcome } from '../../src/util/latestOnly';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('LatestOnly', () => {
  it('delivers only the newest read started, even when an older one finishes last', async () => {
    const latest = new LatestOnly();
    const delivered: Outcome<string>[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = latest.run(
      () => older.promise,
      (outcome) => delivered.push(outcome),
    );
    const second = latest.run(
      () => newer.promise,
      (outcome) => delivered.push(outcome),
    );
    newer.resolve('done');
    await second;
    older.resolve('stale running');
    await first;
    assert.deepEqual(delivered, [{ ok: true, value: 'done' }]);
  });

  it('delivers a failed read as an error, not an unhandled rejection', async () => {
    const delivered: Outcome<string>[] = [];
    await new LatestOnly().run(
      () => Promise.reject(new Error('EACCES')),
      (outcome) => delivered.push(outcome),
    );
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0].ok, false);
  });
});
