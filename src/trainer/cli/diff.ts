import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DiffMessage } from '../../checkpointDiff/diffMessages';
import { diffReportFile, runDirOf } from '../../checkpointDiff/runCheckpoints';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import { readMetaJson } from '../../runFolder/readRunFiles';
import { parseBackendChoice } from '../backends/backendChoice';
import { diffCheckpoints, DiffInputError } from '../checkpointDiff/diffCheckpoints';
import { DEFAULT_SAMPLE_PER_DOMAIN } from '../checkpointDiff/representations';
import { DataError } from '../data/dataError';
import { startBackend } from './startBackend';
import { tellLauncher } from './tellLauncher';
import type { CliIo } from './cliIo';

export const DIFF_USAGE = `Usage: kd-uda diff <checkpointA> <checkpointB> [--out FILE.json] [--backend NAME] [--sample N]

Compares two checkpoint folders (model.json + weights.bin + meta.json, as a run writes them):
architecture, cost, accuracy of each on every target's test split and the source hold-out of A's
run (split as in that run), per-class accuracy and confusion, and between the two the top-1
agreement and KL divergence; for one architecture also the per-layer weight change. On a seeded
sample of N images per domain (--sample, default ${DEFAULT_SAMPLE_PER_DOMAIN}; 0 leaves these out) it
embeds each checkpoint's adaptation features in 2-D (PCA, UMAP), measures the proxy A-distance from
the source hold-out to each target on them, and the linear CKA of every layer of A with every layer
of B. Writes a JSON
report to --out (default: <A's run folder>/diffs/<A>--<B>.<hash of both folders>.json).

Exit codes: 0 written; 1 failed; 2 bad arguments or checkpoints that cannot be compared (another
class set).`;

/** Why the pair cannot be compared, to the terminal and to the launcher. */
function refuse(io: CliIo, reason: string): void {
  io.err(`kd-uda diff: ${reason}`);
  tellLauncher({ kind: 'diff-failed', reason } satisfies DiffMessage);
}

/** `kd-uda diff`: the arguments, where the report goes, and the exit codes; diffCheckpoints computes it. */
export async function diffCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        sample: { type: 'string', default: String(DEFAULT_SAMPLE_PER_DOMAIN) },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (!parsed.values.help && parsed.positionals.length !== 2) throw new Error('give two checkpoint folders');
    if (!/^\d+$/.test(parsed.values.sample)) throw new Error(`--sample: "${parsed.values.sample}" is not a whole number of images per domain`);
  } catch (error) {
    io.err(`kd-uda diff: ${(error as Error).message}\n\n${DIFF_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(DIFF_USAGE);
    return 0;
  }
  const [dirA, dirB] = parsed.positionals.map((dir) => path.resolve(dir));
  const runDir = runDirOf(dirA);
  const out = parsed.values.out ? path.resolve(parsed.values.out) : runDir ? diffReportFile(runDir, dirA, dirB) : undefined;
  if (!out) {
    // A checkpoint that is not there is the mistake to name, not the report's place.
    const unreadable = await readMetaJson(dirA).then(
      () => undefined,
      (error: Error) => error.message,
    );
    refuse(io, unreadable ?? `${dirA} is not in a run folder, so there is no default place for the report: give --out FILE.json`);
    return 2;
  }
  try {
    await startBackend(parseBackendChoice(parsed.values.backend, '--backend'), io.err);
    const report = await diffCheckpoints(
      dirA,
      dirB,
      (message) => {
        io.out(`[diff] ${message}`);
        tellLauncher({ kind: 'diff-progress', message } satisfies DiffMessage);
      },
      { samplePerDomain: Number(parsed.values.sample) },
    );
    await mkdir(path.dirname(out), { recursive: true });
    await writeJsonAtomic(out, report);
    io.out(`[diff] wrote ${out}`);
    return 0;
  } catch (error) {
    if (error instanceof DiffInputError) {
      refuse(io, error.message);
      return 2;
    }
    // Data that is gone or changed since the run is the user's to fix: the reason, not a stack.
    if (error instanceof DataError) {
      refuse(io, `cannot evaluate on the data of ${dirA}'s run: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
