import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvents } from '../../src/runFolder/eventLog';
import { ProgressLogPacing } from '../../src/runComparison/progressLogPacing';
import type { RunEvent, StepEvent } from '../../src/runFolder/runEvents';
import { latestSessionProgress } from '../../src/runComparison/sessionProgress';
import { TrainingProgressTracker, type TrainingProgress } from '../../src/runComparison/trainingProgress';
import { formatDuration, progressDetail, progressLine, runNotificationMessage } from '../../src/runComparison/trainingProgressText';
import { parseResultsProgressMessage } from '../../src/protocol/resultsMessages';
import { epochEvent, eventLines, startEvent } from '../fixtures/runFolderFiles';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

function step(
  seconds: number,
  epoch: number,
  n: number,
  steps: number,
  losses: Record<string, number> = { 'student.ce': 1 },
  epochs: number | null = 3,
): StepEvent {
  // null: a step event as written before steps carried the epoch count.
  return { t: at(seconds), kind: 'step', epoch, step: n, steps, ...(epochs === null ? {} : { epochs }), losses };
}

const sessionStart = (seconds: number, kind: 'start' | 'resume' = 'start'): RunEvent => startEvent(at(seconds), kind);

function tracked(events: RunEvent[], nowSeconds: number): TrainingProgress | undefined {
  const tracker = new TrainingProgressTracker();
  for (const event of events) tracker.add(event);
  return tracker.progress(T0 + nowSeconds * 1000);
}

describe('training progress from step events', () => {
  it('says nothing before the first step, then where the epoch stands and no ETA until three step-to-step times are known', () => {
    assert.equal(tracked([sessionStart(0)], 5), undefined);
    // The first step comes 10 s after the start (kernels compile): not a step's time.
    const early = tracked([sessionStart(0), step(10, 1, 1, 10), step(12, 1, 2, 10), step(14, 1, 3, 10)], 14);
    assert.ok(early);
    assert.equal(early.step, 3);
    assert.equal(early.steps, 10);
    assert.equal(early.epochs, 3);
    assert.equal(early.phase, 'training');
    assert.equal(early.secondsPerStep, undefined, 'two times are too few');
    assert.equal(early.runEtaSeconds, undefined);
    assert.equal(progressLine(early), 'ep 1/3 · step 3/10 · loss 1.00');
    const timed = tracked([sessionStart(0), step(10, 1, 1, 10), step(12, 1, 2, 10), step(14, 1, 3, 10), step(16, 1, 4, 10)], 16);
    assert.equal(timed!.secondsPerStep, 2);
    // 6 steps of 2 s left in this epoch, 2 epochs of 10 steps after it; no evaluation timed yet.
    assert.equal(timed!.epochEtaSeconds, 12);
    assert.equal(timed!.runEtaSeconds, 52);
    assert.equal(timed!.etaIncludesEvaluation, false);
    assert.equal(progressLine(timed!), 'ep 1/3 · step 4/10 · loss 1.00 · ETA ≥0:52');
  });

  it('gives a running run’s notification its step, loss and ETA, then its last epoch', () => {
    const timed = tracked([sessionStart(0), step(10, 1, 1, 10), step(12, 1, 2, 10), step(14, 1, 3, 10), step(16, 1, 4, 10)], 16)!;
    assert.equal(runNotificationMessage(undefined, undefined), 'starting');
    assert.equal(runNotificationMessage(timed, undefined), 'ep 1/3 · step 4/10 · loss 1.00 · ETA ≥0:52');
    assert.equal(
      runNotificationMessage(timed, 'epoch 1/3: student 26.7%, teacher 28.3%'),
      'ep 1/3 · step 4/10 · loss 1.00 · ETA ≥0:52 — epoch 1/3: student 26.7%, teacher 28.3%',
    );
    assert.equal(runNotificationMessage(undefined, 'epoch 3/3: student 30.0%'), 'epoch 3/3: student 30.0%');
  });

  it('takes the speed from the median step time, so one step held up by other work does not swing the ETA', () => {
    const events: RunEvent[] = [sessionStart(0)];
    // 1 s steps, but step 6 waited 9 s (a checkpoint, a collection, another process).
    for (let n = 1; n <= 10; n++) events.push(step(n + (n >= 6 ? 8 : 0), 1, n, 20));
    const progress = tracked(events, 18)!;
    assert.equal(progress.secondsPerStep, 1);
    assert.equal(progress.epochEtaSeconds, 10);
  });

  it('counts the ETA down between events and times the evaluation from the epoch’s last step to its epoch event', () => {
    const events: RunEvent[] = [sessionStart(0)];
    for (let n = 1; n <= 4; n++) events.push(step(n, 1, n, 4, { 'student.ce': n, 'student.dann': 0.5 }));
    assert.equal(tracked(events, 4)!.phase, 'evaluating');
    assert.equal(tracked(events, 4)!.epochEtaSeconds, undefined, 'an evaluation never timed has no end to count to');
    events.push({ ...epochEvent(1, 3), t: at(10) });
    const between = tracked(events, 10)!;
    assert.equal(between.phase, 'training');
    assert.equal(between.epoch, 2);
    assert.equal(between.step, 0);
    assert.equal(between.secondsPerEvaluation, 6);
    assert.equal(between.etaIncludesEvaluation, true);
    // Epochs 2 and 3 left: 4 steps of 1 s and 6 s of evaluation each.
    assert.equal(between.runEtaSeconds, 20);
    assert.equal(tracked(events, 13)!.runEtaSeconds, 17, 'three seconds later, three seconds less');
    assert.equal(tracked(events, 60)!.runEtaSeconds, 10, 'the epoch overdue counts as done, not as negative time');
    assert.equal(progressLine(between), 'ep 2/3 · step 0/4 · loss 3.00 · ETA 0:20');
    const next = tracked([...events, step(11, 2, 1, 4), step(12, 2, 2, 4)], 12)!;
    assert.equal(next.secondsPerStep, 1, 'the gap across the epoch’s end is its evaluation, not a step');
    assert.match(
      progressDetail(between),
      /^Epoch 2 of 3, step 0 of 4: training\.\nLoss 3\.00 \(the terms summed, mean of the last 4 steps\): student\.ce 2\.50, student\.dann 0\.500\./,
    );
    assert.match(
      progressDetail(between),
      /0:06 an evaluation and checkpoint at each epoch's end, included in the ETAs\.\nThis epoch ends in about 0:10\.\nThe run ends in about 0:20\.$/,
    );
  });

  it('means the running loss over the last 20 steps only', () => {
    const events: RunEvent[] = [sessionStart(0)];
    for (let n = 1; n <= 30; n++) events.push(step(n, 1, n, 100, { 'student.ce': n <= 10 ? 100 : 1 }));
    const progress = tracked(events, 30)!;
    assert.equal(progress.runningLoss!.steps, 20);
    assert.equal(progress.runningLoss!.total, 1);
  });

  it('forgets an earlier session at a resume, and says nothing once the run has ended', () => {
    const events: RunEvent[] = [sessionStart(0)];
    for (let n = 1; n <= 5; n++) events.push(step(n, 1, n, 10, { 'student.ce': 9 }));
    events.push(sessionStart(100, 'resume'), step(120, 1, 6, 10, { 'student.ce': 1 }));
    const resumed = latestSessionProgress(events, T0 + 120_000)!;
    assert.equal(resumed.step, 6);
    assert.equal(resumed.runningLoss!.total, 1, 'the earlier session’s losses are not this one’s');
    assert.equal(resumed.secondsPerStep, undefined, 'nor are its times');
    assert.equal(latestSessionProgress([...events, { t: at(130), kind: 'error', message: 'x' }], T0 + 130_000), undefined);
    const last: RunEvent[] = [sessionStart(0), step(1, 3, 4, 4), { ...epochEvent(3, 3), t: at(2) }];
    assert.equal(latestSessionProgress(last, T0 + 2000)!.phase, 'finishing');
    assert.equal(progressLine(latestSessionProgress(last, T0 + 2000)!), 'ep 3/3 · writing results · loss 1.00');
  });

  it('reads a run folder written before steps carried the epoch count: the epochs come from the first epoch event', () => {
    const old = parseEvents(eventLines([sessionStart(0), step(1, 1, 1, 2, {}, null), step(2, 1, 2, 2, {}, null)]));
    assert.deepEqual(old.badLines, []);
    const before = latestSessionProgress(old.events, T0 + 2000)!;
    assert.equal(before.epochs, undefined);
    assert.equal(progressLine(before), 'ep 1 · evaluating · loss 0.00');
    const after = latestSessionProgress([...old.events, { ...epochEvent(1, 7), t: at(3) }], T0 + 3000)!;
    assert.equal(after.epochs, 7);
  });
});

describe('formatting progress', () => {
  it('writes durations as m:ss or h:mm:ss, rounding up', () => {
    assert.equal(formatDuration(0), '0:00');
    assert.equal(formatDuration(44.2), '0:45');
    assert.equal(formatDuration(723), '12:03');
    assert.equal(formatDuration(3723), '1:02:03');
  });
});

describe('pacing progress lines in a run’s output', () => {
  const progress = (epoch: number, n: number, phase: TrainingProgress['phase'] = 'training'): TrainingProgress => ({
    epoch,
    step: n,
    steps: 100,
    phase,
    etaIncludesEvaluation: false,
  });

  it('writes a line at each new tenth of an epoch, at most one per 5 s, and always at a new epoch or phase', () => {
    const pacing = new ProgressLogPacing();
    const logged = (p: TrainingProgress, seconds: number) => pacing.shouldLog(p, seconds * 1000);
    assert.equal(logged(progress(1, 1), 0), true, 'the first step');
    assert.equal(logged(progress(1, 5), 10), false, 'still in the first tenth');
    assert.equal(logged(progress(1, 10), 11), true, 'a new tenth');
    assert.equal(logged(progress(1, 20), 12), false, 'a new tenth, but 1 s after the last line');
    assert.equal(logged(progress(1, 21), 16), true);
    assert.equal(logged(progress(1, 100, 'evaluating'), 17), true, 'a new phase');
    assert.equal(logged(progress(2, 0), 18), true, 'a new epoch');
    let lines = 0;
    for (let n = 1; n <= 100; n++) if (logged(progress(2, n), 100 + n * 10)) lines++;
    assert.equal(lines, 10, 'ten lines over a slow epoch, not a hundred');
  });
});

describe('the results panel’s progress message', () => {
  it('accepts a progress or null, and names the field that does not fit', () => {
    const progress = tracked([sessionStart(0), step(1, 1, 1, 10)], 1)!;
    assert.deepEqual(parseResultsProgressMessage({ type: 'progress', running: true, progress }).progress, progress);
    assert.equal(parseResultsProgressMessage({ type: 'progress', running: false, progress: null }).progress, null);
    assert.throws(
      () => parseResultsProgressMessage({ type: 'progress', running: true, progress: { ...progress, step: 'x' } }),
      /progress\.step is not a number/,
    );
    assert.throws(
      () => parseResultsProgressMessage({ type: 'progress', running: true, progress: { ...progress, phase: 'idle' } }),
      /progress\.phase must be one of/,
    );
    assert.throws(() => parseResultsProgressMessage({ type: 'progress', progress: null }), /running is not true or false/);
  });
});
