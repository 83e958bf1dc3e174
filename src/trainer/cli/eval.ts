import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataLoader } from '../data/dataLoader';
import { loadDataset } from '../data/dataset';
import { parseBackendChoice } from '../backends/backendChoice';
import { fileLoadHandler, MODEL_JSON } from '../checkpoints/fileModelIO';
import { RunFileError } from '../../runFolder/jsonShape';
import { readMetaJson } from '../../runFolder/readRunFiles';
import { CHECKPOINT_FILES } from '../../runFolder/runFolderFormat';
import { BackendError } from '../backends/backendError';
import { DataError } from '../data/dataError';
import { evaluateModels, perClassAccuracy, type DomainScore } from '../training/evaluate';
import { startBackend } from './startBackend';
import type { CliIo } from './cliIo';

export const EVAL_USAGE = `Usage: kd-uda eval <checkpoint> <dataset> [--domain NAME] [--backend NAME]

Evaluates a checkpoint folder (model.json + weights.bin + meta.json, as a run writes them) on a
domain's test split of a dataset root, split as in the run. --domain defaults to the run's first
target. Prints top-1 accuracy and per-class accuracy.

Exit codes: 0 evaluated; 1 failed; 2 bad arguments, a folder that is no checkpoint, or data that
does not fit it.`;

/**
 * The data's problems in the terms of this command: the domain comes from --domain (or the
 * checkpoint's run) and the root from the dataset argument, not from an experiment's fields.
 */
function asEvalProblems(error: DataError, checkpoint: string, domainFlag: boolean): DataError {
  const metaFile = path.join(checkpoint, CHECKPOINT_FILES.meta);
  const fields: Record<string, string> = {
    'data.source': domainFlag ? '--domain' : `the domain ${metaFile} names`,
    'data.root': '<dataset>',
    'data.layout': `the layout ${metaFile} records`,
    'data.split.kind': `the split ${metaFile} records`,
  };
  return new DataError(error.problems.map((problem) => ({ ...problem, field: problem.field && (fields[problem.field] ?? problem.field) })));
}

/** Scores a checkpoint on a domain's test split, rebuilding that split as the run did. */
export async function evaluateCheckpoint(
  checkpoint: string,
  datasetRoot: string,
  domain?: string,
): Promise<DomainScore & { domain: string; classNames: string[] }> {
  const meta = await readMetaJson(checkpoint);
  const name = domain ?? meta.data.targets[0] ?? meta.data.source;
  const dataset = await loadDataset({
    root: datasetRoot,
    layout: meta.data.layout,
    source: name,
    targets: [],
    split: meta.data.split,
    seed: meta.data.seed,
  }).catch((error: unknown) => {
    throw error instanceof DataError ? asEvalProblems(error, checkpoint, domain !== undefined) : error;
  });
  if (dataset.classNames.join('\n') !== meta.classNames.join('\n')) {
    throw new DataError([
      {
        field: '<dataset>',
        message: `the classes of domain "${name}" (${dataset.classNames.join(', ')}) differ from the checkpoint's (${meta.classNames.join(', ')})`,
      },
    ]);
  }
  const [size, , channels] = meta.inputShape;
  const loader = await DataLoader.create({ imageSize: size, channels: channels as 1 | 3, seed: meta.data.seed });
  const model = await tfl.loadLayersModel(fileLoadHandler(path.join(checkpoint, MODEL_JSON)));
  try {
    const scores = await evaluateModels(
      loader,
      { model: (images) => model.predict(images) as tf.Tensor2D },
      [{ name, domain: name, samples: dataset.source.test }],
      meta.classNames.length,
      64,
    );
    return { ...scores.model[name], domain: name, classNames: meta.classNames };
  } finally {
    model.dispose();
  }
}

export async function evalCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { domain: { type: 'string' }, backend: { type: 'string', default: 'auto' }, help: { type: 'boolean', short: 'h' } },
    });
    if (!parsed.values.help && parsed.positionals.length !== 2) throw new Error('give a checkpoint folder and a dataset root');
  } catch (error) {
    io.err(`kd-uda eval: ${(error as Error).message}\n\n${EVAL_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(EVAL_USAGE);
    return 0;
  }
  const [checkpoint, dataset] = parsed.positionals;
  let score;
  try {
    await startBackend(parseBackendChoice(parsed.values.backend, '--backend'), io.err);
    score = await evaluateCheckpoint(checkpoint, dataset, parsed.values.domain);
  } catch (error) {
    // The user's to fix (a folder that is no checkpoint, a domain or root that is not there, a backend): the reason, not a stack.
    if (error instanceof RunFileError || error instanceof DataError || error instanceof BackendError) {
      io.err(`kd-uda eval: ${error.message}`);
      return 2;
    }
    throw error;
  }
  io.out(`${score.domain}: top-1 accuracy ${(100 * score.accuracy).toFixed(2)}% on ${score.images} test images`);
  perClassAccuracy(score.confusion).forEach((accuracy, k) =>
    io.out(`  ${score.classNames[k]}: ${accuracy === null ? 'no images' : `${(100 * accuracy).toFixed(1)}%`}`),
  );
  return 0;
}
