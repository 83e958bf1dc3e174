import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DigitsSplit, DomainPlan } from './digitsDomain';
import { encodePng } from './pngEncoder';

/** Files written at once: enough to keep the disk busy, few enough not to hold many buffers. */
const WRITES_IN_FLIGHT = 32;

export type ClassCounts = Record<DigitsSplit, number[]>;

/** `<out>/<split>/<domain>/<label>/<index>.png`: each split folder is an ImageFolder dataset root. */
export function imagePath(out: string, split: DigitsSplit, domain: string, label: number, index: number): string {
  return path.join(out, split, domain, String(label), `${String(index).padStart(5, '0')}.png`);
}

/** Writes every image of the plan as PNG and counts them per class. */
export async function writeDomain(out: string, plan: DomainPlan): Promise<ClassCounts> {
  const counts: ClassCounts = { train: new Array<number>(10).fill(0), test: new Array<number>(10).fill(0) };
  for (const split of ['train', 'test'] as const) {
    await fs.rm(path.join(out, split, plan.name), { recursive: true, force: true });
    await Promise.all(Array.from({ length: 10 }, (_, label) => fs.mkdir(path.join(out, split, plan.name, String(label)), { recursive: true })));
    let next = 0;
    const writer = async (): Promise<void> => {
      while (next < plan.counts[split]) {
        const index = next++;
        const image = plan.image(split, index);
        counts[split][image.label]++;
        await fs.writeFile(imagePath(out, split, plan.name, image.label, index), encodePng(image.pixels, image.width, image.height, image.channels));
      }
    };
    await Promise.all(Array.from({ length: WRITES_IN_FLIGHT }, writer));
  }
  return counts;
}
