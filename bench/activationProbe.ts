/**
 * Runs inside the extension host (loaded as extensionTestsPath by bench/activation): activates
 * KD-UDA Lab cold, times it, and records what activation pulled in. Writes JSON to
 * $KDUDA_BENCH_RESULTS.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../src/extension';

const HEAVY_MODULES = /@tensorflow|tfjs|sharp|@napi-rs/;

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab');
  if (!extension) throw new Error('kd-uda-lab.kd-uda-lab is not loaded');
  const wasActive = extension.isActive;
  const modulesBefore = new Set(Object.keys(require.cache));
  const started = performance.now();
  const api = await extension.activate();
  const activationMs = performance.now() - started;
  const loaded = Object.keys(require.cache).filter((name) => !modulesBefore.has(name));
  // Give activation's asynchronous follow-ups (listing roots) time to run before looking.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const roots = await api.datasets.roots.list();
  const result = {
    wasActive,
    activationMs,
    modulesLoaded: loaded.length,
    heavyModules: loaded.filter((name) => HEAVY_MODULES.test(name)),
    rootsKnown: roots.length,
    scannedRootsAtActivation: roots.filter((root) => api.datasets.store.get(root) !== undefined).length,
  };
  const out = process.env.KDUDA_BENCH_RESULTS;
  if (!out) throw new Error('KDUDA_BENCH_RESULTS is not set');
  writeFileSync(out, JSON.stringify(result));
}
