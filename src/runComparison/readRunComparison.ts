import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { mapWithConcurrency } from '../datasetScan/mapWithConcurrency';
import { writeFileAtomic } from '../runFolder/atomicFile';
import { readEvents } from '../runFolder/eventLog';
import { readRunStatus } from '../runFolder/listRuns';
import { readExperimentJson } from '../runFolder/readRunFiles';
import { readRunResults } from '../runFolder/readRunResults';
import type { RunExperiment } from '../runFolder/runExperiment';
import { RUN_FILES } from '../runFolder/runFolderFormat';
import { buildComparisonTable, type ComparisonTable, type ModelMetrics, type RunRecord } from './runComparison';
import { evaluatedTargets, meanOverTargets, type AccuracyByModel } from '../runFolder/targetAccuracy';

/** Folders read at once: enough to keep the disk busy, few enough to leave libuv's pool to others. */
const READ_CONCURRENCY = 8;

/**
 * Bumped whenever RunRecord changes shape: a cache file of another version is ignored, not misread.
 * 2: records without status (re-read on every refresh), and no NaN mean.
 * 3: models carry their latency per image.
 * 4: and its spread.
 */
const CACHE_FORMAT_VERSION = 4;

interface CacheEntry {
  signature: string;
  record: RunRecord;
}

async function readExperiment(runDir: string): Promise<{ experiment?: RunExperiment; problem?: string }> {
  try {
    return { experiment: await readExperimentJson(runDir) };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A run still training (or stopped before results.json) is compared on its last evaluation in
 * events.jsonl: the same last-epoch numbers the results panel shows live, and the same mean.
 */
async function readLiveMetrics(runDir: string, targets: string[]): Promise<{ epochsRun?: number; models: ModelMetrics[]; targets: string[] }> {
  const { events } = await readEvents(path.join(runDir, RUN_FILES.events));
  let epochsRun: number | undefined;
  let accuracy: AccuracyByModel | undefined;
  for (const event of events) {
    if (event.kind === 'epoch') epochsRun = event.epoch;
    if (event.kind === 'eval') accuracy = event.accuracy;
  }
  const evaluated = evaluatedTargets(accuracy, targets);
  const models = Object.entries(accuracy ?? {}).map(([role, byDomain]) => {
    const meanTarget = meanOverTargets(byDomain, evaluated);
    return { role, accuracy: byDomain, ...(meanTarget === undefined ? {} : { meanTarget }) };
  });
  return { epochsRun, models, targets: evaluated };
}

type RunStatusReading = Awaited<ReturnType<typeof readRunStatus>>;

/** What a run folder says besides status.json: experiment and results (or live metrics). What the cache keeps. */
async function readRunBody(runDir: string): Promise<RunRecord> {
  const [{ experiment, problem: experimentProblem }, results] = await Promise.all([readExperiment(runDir), readRunResults(runDir)]);
  const base = { runId: path.basename(runDir), runDir, experiment };
  const problems = [experimentProblem, results.kind === 'problem' ? results.message : undefined].filter((problem): problem is string => problem !== undefined);
  const problem = problems.length ? { problem: problems.join('; ') } : {};
  if (results.kind === 'results') {
    const models = results.models.map((model) => ({
      role: model.role,
      accuracy: Object.fromEntries(model.targets.map((target) => [target.domain, target.accuracy])),
      ...(model.meanTarget === undefined ? {} : { meanTarget: model.meanTarget }),
      parameters: model.parameters,
      macsPerImage: model.macsPerImage,
      ...(model.latencyMsPerImage === undefined ? {} : { latencyMsPerImage: model.latencyMsPerImage }),
      ...(model.latencySpreadPerImage === undefined ? {} : { latencySpreadPerImage: model.latencySpreadPerImage }),
    }));
    return {
      ...base,
      ...problem,
      epochsRun: results.epoch,
      targets: results.models[0]?.targets.map((target) => target.domain) ?? experiment?.data?.targets ?? [],
      models,
    };
  }
  return { ...base, ...problem, ...(await readLiveMetrics(runDir, experiment?.data?.targets ?? [])) };
}

/**
 * A run's body with its status as read now: status.json is re-read on every refresh (it is small),
 * because a killed trainer writes nothing, and only readRunStatus (its process is gone) says so.
 */
function withStatus(body: RunRecord, status: RunStatusReading): RunRecord {
  const { state: _state, startedAt: _startedAt, problem: bodyProblem, ...rest } = body;
  const problems = [status.problem, bodyProblem].filter((problem): problem is string => problem !== undefined);
  return {
    ...rest,
    ...(status.state ? { state: status.state } : {}),
    ...(status.startedAt ? { startedAt: status.startedAt } : {}),
    ...(problems.length ? { problem: problems.join('; ') } : {}),
  };
}

/** One run folder as a row of the comparison: status, experiment, and results (or live metrics). */
export async function readRunRecord(runDir: string): Promise<RunRecord> {
  const [status, body] = await Promise.all([readRunStatus(runDir), readRunBody(runDir)]);
  return withStatus(body, status);
}

/** A row for a run whose folder could not be read at all: the others are still shown. */
function unreadableRecord(runDir: string, error: unknown): RunRecord {
  return {
    runId: path.basename(runDir),
    runDir,
    targets: [],
    models: [],
    problem: `${runDir} could not be read: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/** Changes whenever a file the record is read from is written, replaced or removed. */
async function runSignature(runDir: string): Promise<string> {
  const files = [RUN_FILES.status, RUN_FILES.experiment, RUN_FILES.results, RUN_FILES.events];
  const stats = await Promise.all(
    files.map((file) =>
      stat(path.join(runDir, file)).then(
        (info) => `${info.mtimeMs}:${info.size}`,
        () => '-',
      ),
    ),
  );
  return stats.join('|');
}

/**
 * Reads the comparison table of a runs folder, keeping every run's record with the signature of its
 * files: after the first read, a refresh stats each folder, re-reads every status.json and re-reads
 * the rest only for the runs that changed,
 * so a run finishing among 1,000 costs one folder's read. With a `cacheFile` the records also
 * outlive the window: the first read after a restart parses one file instead of every results.json.
 */
export class RunComparisonReader {
  private readonly cache = new Map<string, CacheEntry>();
  private cacheLoaded = false;

  constructor(
    private readonly cacheFile?: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  async read(runsDir: string): Promise<ComparisonTable> {
    await this.loadCache();
    let entries;
    try {
      entries = await readdir(runsDir, { withFileTypes: true });
    } catch {
      return buildComparisonTable([]);
    }
    const dirs = entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => path.join(runsDir, entry.name))
      // Newest first, as the Runs view lists them (run ids start with a timestamp).
      .sort((a, b) => path.basename(b).localeCompare(path.basename(a)));
    let changed = false;
    const records = await mapWithConcurrency(dirs, READ_CONCURRENCY, async (dir) => {
      try {
        const [signature, status] = await Promise.all([runSignature(dir), readRunStatus(dir)]);
        const cached = this.cache.get(dir);
        if (cached?.signature === signature) return withStatus(cached.record, status);
        const body = await readRunBody(dir);
        this.cache.set(dir, { signature, record: body });
        changed = true;
        return withStatus(body, status);
      } catch (error) {
        // One run's failure is that row's problem, never the whole table's.
        return unreadableRecord(dir, error);
      }
    });
    // Only this runs folder's entries are kept: the cache follows the setting, not every folder ever read.
    const present = new Set(dirs);
    for (const dir of this.cache.keys()) {
      if (!present.has(dir)) {
        this.cache.delete(dir);
        changed = true;
      }
    }
    if (changed) await this.saveCache();
    return buildComparisonTable(records);
  }

  private async loadCache(): Promise<void> {
    if (this.cacheLoaded || !this.cacheFile) return;
    this.cacheLoaded = true;
    let saved: { version?: unknown; entries?: unknown };
    try {
      saved = JSON.parse(await readFile(this.cacheFile, 'utf8')) as typeof saved;
    } catch {
      return; // none yet, or torn: every run is read afresh
    }
    if (saved.version !== CACHE_FORMAT_VERSION || !Array.isArray(saved.entries)) return;
    for (const entry of saved.entries as [string, CacheEntry][]) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1]?.signature === 'string' && typeof entry[1].record === 'object')
        this.cache.set(entry[0], entry[1]);
    }
  }

  private async saveCache(): Promise<void> {
    if (!this.cacheFile) return;
    try {
      await mkdir(path.dirname(this.cacheFile), { recursive: true });
      await writeFileAtomic(this.cacheFile, JSON.stringify({ version: CACHE_FORMAT_VERSION, entries: [...this.cache] }));
    } catch (error) {
      this.warn(`Could not save the Compare Runs cache ${this.cacheFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
