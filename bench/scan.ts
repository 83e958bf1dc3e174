/**
 * Times `scanDataset` on 100,000 images (300 classes over 4 domains) against the budget in
 * DESIGN.md ("100k images counted in a few seconds, without blocking the host"; 3 s here).
 *
 *   node esbuild.mjs --tests && node out/bench/scan.js
 *
 * The tree is generated once into os.tmpdir()/kd-uda-bench-scan-100k and reused. "Cold" is the
 * first scan in a fresh Node process (nothing JIT-compiled yet); the kernel's dentry, inode and page
 * caches cannot be dropped without privilege (/proc/sys/vm/drop_caches is read-only here), so they
 * may still be warm. "Warm" is the median of 5 scans in one process. A readdir-only walk of the same
 * tree shows what the stat per image (needed to spot 0-byte files) costs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { scanDataset } from '../src/datasetScan/scanDataset';
import { encodePng } from '../src/trainer/digitsBenchmark/pngEncoder';

const TREE = path.join(os.tmpdir(), 'kd-uda-bench-scan-100k');
const COMPLETE_MARKER = path.join(TREE, '.complete');
const DOMAINS = ['amazon', 'dslr', 'webcam', 'clipart'];
const CLASSES = 300;
const IMAGES = 100_000;
const WARM_RUNS = 5;

interface Measurement {
  images: number;
  ms: number;
  maxBlockMs: number;
}

/** 100,000 files spread as evenly as 1,200 folders allow (83 or 84 each). */
async function ensureTree(): Promise<boolean> {
  if (existsSync(COMPLETE_MARKER)) return false;
  await fs.rm(TREE, { recursive: true, force: true });
  const png = encodePng(new Uint8Array(8 * 8 * 3).fill(128), 8, 8, 3);
  const folders = DOMAINS.flatMap((domain) =>
    Array.from({ length: CLASSES }, (_, index) => path.join(TREE, domain, `class ${String(index).padStart(3, '0')}`)),
  );
  const files: string[] = [];
  folders.forEach((folder, index) => {
    const count = Math.floor(((index + 1) * IMAGES) / folders.length) - Math.floor((index * IMAGES) / folders.length);
    for (let i = 0; i < count; i++) files.push(path.join(folder, `${String(i).padStart(5, '0')}.png`));
  });
  await Promise.all(folders.map((folder) => fs.mkdir(folder, { recursive: true })));
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < files.length) await fs.writeFile(files[next++], png);
  };
  await Promise.all(Array.from({ length: 64 }, writer));
  await fs.writeFile(COMPLETE_MARKER, '');
  return true;
}

/** Runs `work` while recording the longest time the event loop could not take a turn. */
async function measure(work: () => Promise<number>): Promise<Measurement> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const images = await work();
  const ms = performance.now() - started;
  delay.disable();
  return { images, ms, maxBlockMs: delay.max / 1e6 };
}

async function scanOnce(): Promise<Measurement> {
  return measure(async () => {
    const summary = await scanDataset(TREE);
    if (summary.count !== IMAGES || summary.layout !== 'imagefolder') {
      throw new Error(`expected ${IMAGES} ImageFolder images, got ${summary.count} (${JSON.stringify(summary.issues)})`);
    }
    return summary.count;
  });
}

/** The floor: the same folders listed, no stat per file. */
async function readdirOnly(): Promise<Measurement> {
  return measure(async () => {
    let files = 0;
    for (const domain of await fs.readdir(TREE)) {
      if (domain.startsWith('.')) continue;
      const classes = await fs.readdir(path.join(TREE, domain));
      const listed = await Promise.all(classes.map((name) => fs.readdir(path.join(TREE, domain, name), { withFileTypes: true })));
      files += listed.reduce((sum, entries) => sum + entries.length, 0);
    }
    return files;
  });
}

function median(values: readonly Measurement[]): Measurement {
  const sorted = [...values].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor(sorted.length / 2)];
}

function row(label: string, { images, ms, maxBlockMs }: Measurement): string {
  const rate = Math.round((images / ms) * 1000).toLocaleString('en-US');
  return `| ${label} | ${images.toLocaleString('en-US')} | ${ms.toFixed(0)} | ${rate} | ${maxBlockMs.toFixed(1)} |`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--once')) {
    process.stdout.write(JSON.stringify(await scanOnce()));
    return;
  }
  const generated = await ensureTree();
  const child = spawnSync(process.execPath, [__filename, '--once'], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`cold run failed: ${child.stderr}`);
  const cold = JSON.parse(child.stdout) as Measurement;
  await scanOnce(); // JIT warm-up, not reported
  const warm: Measurement[] = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await scanOnce());
  const floor = median([await readdirOnly(), await readdirOnly(), await readdirOnly()]);

  console.log(
    `scanDataset on ${IMAGES.toLocaleString('en-US')} PNGs, ${CLASSES} classes x ${DOMAINS.length} domains (${TREE}${generated ? ', generated now' : ', reused'})`,
  );
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), budget 3,000 ms\n`);
  console.log('| run | images | ms | images/s | max event-loop block (ms) |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(row('cold: first scan in a fresh process', cold));
  console.log(row(`warm: median of ${WARM_RUNS}`, median(warm)));
  console.log(
    row(
      `warm: slowest of ${WARM_RUNS}`,
      warm.reduce((a, b) => (b.ms > a.ms ? b : a)),
    ),
  );
  console.log(row('floor: readdir only, no stat (not a scan)', floor));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
