/**
 * What the results panel shows of one run: a view of its run folder, computed by the host and
 * posted whole (src/protocol/resultsMessages.ts carries it). Pure (no Node or DOM APIs): the
 * webview imports these types.
 */
import { imagesIn } from '../runFolder/accuracyUncertainty';
import type { LatencySpread } from '../runFolder/inferenceLatency';
import type { RunResults } from '../runFolder/results';
import type { ParsedEvents } from '../runFolder/runEvents';
import { SOURCE_HOLDOUT, type RunState } from '../runFolder/runFolderFormat';
import { evaluatedTargets, meanOverTargets } from '../runFolder/targetAccuracy';

export interface EpochPoint {
  epoch: number;
  /** accuracy[model][domain], 0..1, targets and the source hold-out. */
  accuracy: Record<string, Record<string, number>>;
  /** Mean of each loss term over the epoch's steps. */
  losses: Record<string, number>;
  beta?: number;
}

export interface ModelRow {
  role: string;
  /** Last epoch's accuracy per target (the headline: no target label chooses it). */
  targets: Record<string, number>;
  /** Mean over the targets with a value; absent when there is none. */
  meanTarget?: number;
  parameters?: number;
  macsPerImage?: number;
  latencyMsPerBatch?: number;
  latencyBatchSize?: number;
  /** Spread and count of the timed batches; absent for runs of older trainers. */
  latencySpread?: LatencySpread;
  /** Last epoch's accuracy on the source's held-out test images: how well the model learnt the labelled domain. */
  sourceHoldout?: number;
}

/** A model of another finished run on the same data that this run is judged against. */
export interface BaselineRow {
  /** What it is, e.g. "student, source only". */
  label: string;
  runId: string;
  /** That run's headline (last epoch) accuracy per target. */
  targets: Record<string, number>;
  meanTarget?: number;
  parameters?: number;
  macsPerImage?: number;
}

export interface RunSummary {
  runId: string;
  runDir: string;
  state?: RunState;
  error?: string;
  targets: string[];
  epochs?: number;
  lastEpoch?: number;
  rows: ModelRow[];
  /** Source-only and directly adapted runs on the same data, source and targets, when the runs folder has them. */
  baselines: BaselineRow[];
  history: EpochPoint[];
  /** Lines of events.jsonl that could not be read (skipped). */
  skippedEventLines: number[];
  /** Images the run leaves out because they cannot be decoded: how many, and the first few paths. */
  skippedImages: { count: number; first: string[] };
  /** Classes the models choose from (once results.json is written): 1/classes is chance. */
  classes?: number;
  /** Test images per evaluated domain (once results.json is written). */
  testImages?: Record<string, number>;
  /** The host found no source-only run of the student on this data (set once it has looked; never for a source-only run of the student). */
  missingSourceOnlyBaseline?: boolean;
}

/** Paths a summary names before it only counts: the panel shows them on one line. */
const FIRST_SKIPPED_IMAGES = 5;

/**
 * A run's summary from its events (live, while it trains) and, once written, its results.json
 * (costs, and the headline, which is the last epoch).
 */
export function summariseRun(
  run: { runId: string; runDir: string },
  status: { state?: RunState; error?: string },
  parsed: Pick<ParsedEvents, 'events' | 'badLines'>,
  results?: Pick<RunResults, 'targets' | 'costs'> & Partial<Pick<RunResults, 'classNames' | 'testImages' | 'confusion'>>,
): RunSummary {
  const byEpoch = new Map<number, EpochPoint>();
  // Found at decode time (corrupt-image) or by its header before training (undecodable-image): left out either way, counted once.
  const skippedImages = new Set<string>();
  let epochs: number | undefined;
  let targets: string[] = results ? [...results.targets] : [];
  for (const event of parsed.events) {
    if (event.kind === 'data-problem' && (event.code === 'corrupt-image' || event.code === 'undecodable-image') && event.path) skippedImages.add(event.path);
    if (event.kind !== 'eval' && event.kind !== 'epoch') continue;
    const point = byEpoch.get(event.epoch) ?? { epoch: event.epoch, accuracy: {}, losses: {} };
    if (event.kind === 'eval') {
      point.accuracy = event.accuracy;
    } else {
      point.losses = event.losses;
      point.beta = event.beta;
      epochs = event.epochs;
    }
    byEpoch.set(event.epoch, point);
  }
  const history = [...byEpoch.values()].filter((point) => Object.keys(point.accuracy).length > 0).sort((a, b) => a.epoch - b.epoch);
  const last = history.at(-1);
  if (targets.length === 0 && last) {
    // Before results.json exists the targets are the evaluated domains other than the source hold-out.
    targets = evaluatedTargets(last.accuracy);
  }
  const rows: ModelRow[] = Object.entries(last?.accuracy ?? {}).map(([role, byDomain]) => {
    const cost = results?.costs[role];
    return {
      role,
      targets: Object.fromEntries(targets.map((target) => [target, byDomain[target] ?? Number.NaN])),
      meanTarget: meanOverTargets(byDomain, targets),
      ...(byDomain[SOURCE_HOLDOUT] === undefined ? {} : { sourceHoldout: byDomain[SOURCE_HOLDOUT] }),
      ...(cost
        ? {
            parameters: cost.parameters,
            macsPerImage: cost.macsPerImage,
            latencyMsPerBatch: cost.latencyMsPerBatch,
            latencyBatchSize: cost.latencyBatchSize,
            ...(cost.latencySpread ? { latencySpread: cost.latencySpread } : {}),
          }
        : {}),
    };
  });
  rows.sort((a, b) => Number(a.role === 'student') - Number(b.role === 'student') || a.role.localeCompare(b.role));
  return {
    runId: run.runId,
    runDir: run.runDir,
    state: status.state,
    error: status.error,
    targets,
    epochs,
    lastEpoch: last?.epoch,
    rows,
    baselines: [],
    history,
    skippedEventLines: parsed.badLines.map((bad) => bad.line),
    skippedImages: { count: skippedImages.size, first: [...skippedImages].slice(0, FIRST_SKIPPED_IMAGES) },
    ...(results?.classNames ? { classes: results.classNames.length } : {}),
    ...(results ? testImagesOf(results) : {}),
  };
}

/** results.json's image counts, or for a run of an older trainer the sums of its first model's confusion matrices. */
function testImagesOf(results: Partial<Pick<RunResults, 'testImages' | 'confusion'>>): { testImages?: Record<string, number> } {
  if (results.testImages) return { testImages: results.testImages };
  const [byDomain] = Object.values(results.confusion ?? {});
  return byDomain ? { testImages: Object.fromEntries(Object.entries(byDomain).map(([domain, confusion]) => [domain, imagesIn(confusion)])) } : {};
}
