import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SlurmJobMonitor } from '../../src/slurm/jobMonitor';
import type { SlurmJobState } from '../../src/slurm/jobStates';

/** Lets the monitor's awaited query settle after a timer fired. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SlurmJobMonitor: one batched query per poll, backing off while nothing changes', () => {
  it('asks about every watched job in one query, doubles the interval while nothing changes, and polls at once after a change', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const queries: string[][] = [];
      let state: SlurmJobState = { kind: 'pending', slurmState: 'PENDING', reason: 'Priority', source: 'squeue' };
      const monitor = new SlurmJobMonitor((jobIds) => {
        queries.push([...jobIds]);
        return Promise.resolve(new Map(jobIds.map((id) => [id, state])));
      });
      const changes: string[][] = [];
      monitor.onDidChange((changed) => changes.push([...changed.keys()]));
      const jobs = Array.from({ length: 100 }, (_, index) => `41_${index}`);
      const watches = jobs.map((id) => monitor.watch(id));
      const pollTimes: number[] = [];
      let now = 0;
      // The first poll changes everything (1 s); then a quiet queue: 1, 2, 4, 8, 16 s later, then at most 30 s apart.
      for (; now < 63_000; now += 100) {
        const before = queries.length;
        mock.timers.tick(100);
        await settle();
        if (queries.length > before) pollTimes.push(now + 100);
      }
      assert.ok(
        queries.every((ids) => ids.length === 100),
        'every poll asks about all 100 jobs at once',
      );
      assert.deepEqual(pollTimes, [1000, 2000, 4000, 8000, 16000, 32000, 62000]);
      assert.deepEqual(changes.length, 1, 'only the first poll changed anything');
      state = { kind: 'running', slurmState: 'RUNNING', node: 'n1', source: 'squeue' };
      monitor.pollSoon();
      mock.timers.tick(0);
      await settle();
      assert.equal(changes.length, 2);
      assert.equal(changes[1].length, 100);
      assert.equal(monitor.report('41_7')?.node, 'n1');
      for (const watch of watches) watch.dispose();
      const polled = queries.length;
      mock.timers.tick(120_000);
      await settle();
      assert.equal(queries.length, polled, 'nothing is polled once no job is watched');
      monitor.dispose();
    } finally {
      mock.timers.reset();
    }
  });

  it('a query that fails reports each job unknown with the reason, never running', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const monitor = new SlurmJobMonitor(() => Promise.reject(new Error('squeue failed: Unable to contact slurm controller')));
      const seen: SlurmJobState[] = [];
      monitor.onDidChange((changes) => seen.push(...changes.values()));
      monitor.watch('7');
      mock.timers.tick(1000);
      await settle();
      assert.deepEqual(seen, [{ kind: 'unknown', reason: 'squeue failed: Unable to contact slurm controller', source: 'none' }]);
      monitor.dispose();
    } finally {
      mock.timers.reset();
    }
  });
});
