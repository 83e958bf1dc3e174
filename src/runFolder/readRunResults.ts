import { RunFileError } from './jsonShape';
import { readResultsJson } from './readRunFiles';
import type { LatencySpread } from './inferenceLatency';
import type { ModelCost, RunResults } from './results';
import { meanOverTargets } from './targetAccuracy';
import { teachersFirstRank } from './modelRoleOrder';

/** One model's headline (last epoch) accuracy per target and their mean, and its costs when recorded. */
export interface ModelHeadline {
  role: string;
  /** Absent when results.json records none for the model: never a made-up 0. */
  meanTarget?: number;
  targets: { domain: string; accuracy: number }[];
  parameters?: number;
  macsPerImage?: number;
  /** Inference time per image (ms): the recorded batch's median time over its size; absent without a usable batch size. */
  latencyMsPerImage?: number;
  /** The recorded spread and count, its quartiles per image as the median is; absent from runs of older trainers. */
  latencySpreadPerImage?: LatencySpread;
}

export type RunResultsReading = { kind: 'none' } | { kind: 'problem'; message: string } | { kind: 'results'; epoch: number; models: ModelHeadline[] };

/** A batch's latency as ms per image; nothing when the batch size or time cannot give one (never a division by 0). */
function latencyPerImage(cost: ModelCost): { latencyMsPerImage?: number; latencySpreadPerImage?: LatencySpread } {
  const perImage = cost.latencyMsPerBatch / cost.latencyBatchSize;
  if (!(cost.latencyBatchSize > 0 && Number.isFinite(perImage) && perImage >= 0)) return {};
  const spread = cost.latencySpread;
  return {
    latencyMsPerImage: perImage,
    ...(spread ? { latencySpreadPerImage: { ...spread, q1Ms: spread.q1Ms / cost.latencyBatchSize, q3Ms: spread.q3Ms / cost.latencyBatchSize } } : {}),
  };
}

/**
 * The headline table of a finished run, from its results.json. A run without results yet is
 * `none`; an unreadable or newer file is a `problem` with the reason, never a guess.
 */
export async function readRunResults(runDir: string): Promise<RunResultsReading> {
  let results: RunResults;
  try {
    results = await readResultsJson(runDir);
  } catch (error) {
    if (error instanceof RunFileError) return error.problem === 'missing' ? { kind: 'none' } : { kind: 'problem', message: error.message };
    return { kind: 'none' };
  }
  const { headline, targets, costs } = results;
  const models = Object.entries(headline.accuracy)
    .map(([role, byDomain]) => {
      // The trainer's own mean; without one, the shared definition over the targets with a value (maybe none).
      const mean = role in headline.meanTarget ? headline.meanTarget[role] : meanOverTargets(byDomain, targets);
      const cost = costs[role];
      return {
        role,
        ...(mean === undefined ? {} : { meanTarget: mean }),
        targets: targets.map((domain) => ({ domain, accuracy: byDomain[domain] ?? Number.NaN })),
        ...(cost ? { parameters: cost.parameters, macsPerImage: cost.macsPerImage, ...latencyPerImage(cost) } : {}),
      };
    })
    .sort((a, b) => teachersFirstRank(a.role) - teachersFirstRank(b.role) || a.role.localeCompare(b.role));
  return { kind: 'results', epoch: headline.epoch, models };
}
