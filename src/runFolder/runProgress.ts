import path from 'node:path';
import type { RunResults } from './results';
import type { EpochPoint, ModelRow, ResultsPanelState } from '../protocol/resultsMessages';
import type { ParsedEvents } from './eventLog';
import type { RunState } from './runFolderFormat';
import { evaluatedTargets, meanOverTargets, readAccuracy } from './targetAccuracy';

/**
 * What the results panel shows of a run, from its events (live, while it trains) and, once
 * written, its results.json (costs, and the headline, which is the last epoch).
 */
export function summariseRun(runDir: string, status: { state?: RunState; error?: string }, parsed: ParsedEvents, results?: RunResults): ResultsPanelState {
  const byEpoch = new Map<number, EpochPoint>();
  let epochs: number | undefined;
  let targets: string[] = Array.isArray(results?.targets) ? results.targets.filter((target): target is string => typeof target === 'string') : [];
  for (const event of parsed.events) {
    const epoch = typeof event.epoch === 'number' ? event.epoch : undefined;
    if (epoch === undefined) continue;
    const point = byEpoch.get(epoch) ?? { epoch, accuracy: {}, losses: {} };
    // Only object-valued models, numbers inside: one malformed event must not take the panel down.
    const accuracy = event.kind === 'eval' ? readAccuracy(event.accuracy) : undefined;
    if (accuracy) point.accuracy = accuracy;
    if (event.kind === 'epoch') {
      if (typeof event.losses === 'object' && event.losses) point.losses = event.losses as Record<string, number>;
      if (typeof event.beta === 'number') point.beta = event.beta;
      if (typeof event.epochs === 'number') epochs = event.epochs;
    }
    byEpoch.set(epoch, point);
  }
  const history = [...byEpoch.values()].filter((point) => Object.keys(point.accuracy).length > 0).sort((a, b) => a.epoch - b.epoch);
  const last = history.at(-1);
  if (targets.length === 0 && last) {
    // Before results.json exists the targets are the evaluated domains other than the source hold-out.
    targets = evaluatedTargets(last.accuracy);
  }
  const rows: ModelRow[] = Object.entries(last?.accuracy ?? {}).map(([role, byDomain]) => {
    const cost = results?.costs?.[role];
    return {
      role,
      targets: Object.fromEntries(targets.map((target) => [target, byDomain[target] ?? Number.NaN])),
      meanTarget: meanOverTargets(byDomain, targets),
      ...(cost ? { parameters: cost.parameters, macsPerImage: cost.macsPerImage, latencyMsPerBatch: cost.latencyMsPerBatch, latencyBatchSize: cost.latencyBatchSize } : {}),
    };
  });
  rows.sort((a, b) => Number(a.role === 'student') - Number(b.role === 'student') || a.role.localeCompare(b.role));
  return {
    runId: path.basename(runDir),
    runDir,
    state: status.state,
    error: status.error,
    targets,
    epochs,
    lastEpoch: last?.epoch,
    rows,
    baselines: [],
    history,
    skippedEventLines: parsed.badLines.map((bad) => bad.line),
  };
}
