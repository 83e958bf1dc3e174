import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataLoader } from '../data/dataLoader';
import { loadDataset } from '../data/dataset';
import { parseBackendChoice } from '../backends/backendChoice';
import { fileLoadHandler, MODEL_JSON } from '../checkpoints/fileModelIO';
import { readMetaJson } from '../../runFolder/readRunFiles';
import { evaluateModels, perClassAccuracy, type DomainScore } from '../training/evaluate';
import { startBackend } from './startBackend';
import type { CliIo } from './cliIo';

export const EVAL_USAGE = `Usage: kd-uda eval <checkpoint> <dataset> [--domain NAME] [--backend NAME]

Evaluates a checkpoint folder (model.json + weights.bin + meta.json, as a run writes them) on a
domain's test split of a dataset root, split as in the run. --domain defaults to the run's first
target. Prints top-1 accuracy and per-class accuracy.`;

/** Scores a checkpoint on a domain's test split, rebuilding that split as the run did. */
export async function evaluateCheckpoint(checkpoint: string, datasetRoot: string, domain?: string): Promise<DomainScore & { domain: string; classNames: string[] }> {
  const meta = await readMetaJson(checkpoint);
  const name = domain ?? meta.data.targets[0] ?? meta.data.source;
  const dataset = await loadDataset({ root: datasetRoot, layout: meta.data.layout, source: name, targets: [], split: meta.data.split, seed: meta.data.seed });
  if (dataset.classNames.join('\n') !== meta.classNames.join('\n')) {
    throw new Error(`the dataset's classes (${dataset.classNames.join(', ')}) differ from the checkpoint's (${meta.classNames.join(', ')})`);
  }
  const [size, , channels] = meta.inputShape;
  const loader = await DataLoader.create({ imageSize: size, channels: channels as 1 | 3, seed: meta.data.seed });
  const model = await tfl.loadLayersModel(fileLoadHandler(path.join(checkpoint, MODEL_JSON)));
  try {
    const scores = await evaluateModels(loader, { model: (images) => model.predict(images) as tf.Tensor2D }, [{ name, domain: name, samples: dataset.source.test }], meta.classNames.length, 64);
    return { ...scores.model[name], domain: name, classNames: meta.classNames };
  } finally {
    model.dispose();
  }
}

export async function evalCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { domain: { type: 'string' }, backend: { type: 'string', default: 'auto' }, help: { type: 'boolean', short: 'h' } } });
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
  await startBackend(parseBackendChoice(parsed.values.backend!, '--backend'), io.err);
  const score = await evaluateCheckpoint(checkpoint, dataset, parsed.values.domain);
  io.out(`${score.domain}: top-1 accuracy ${(100 * score.accuracy).toFixed(2)}% on ${score.images} test images`);
  perClassAccuracy(score.confusion).forEach((accuracy, k) => io.out(`  ${score.classNames[k]}: ${accuracy === null ? 'no images' : `${(100 * accuracy).toFixed(1)}%`}`));
  return 0;
}
