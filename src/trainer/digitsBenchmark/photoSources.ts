import path from 'node:path';
import { promises as fs } from 'node:fs';
import { isImageFileName } from '../../datasetScan/imageFiles';
import type { DebianPackage, DebianRequest } from './debianPackages';

/**
 * Real colour photographs for the MNIST-M-style domain, chosen by looking at every image these
 * packages ship: test charts, drawings, renders, screenshots, grey images, paintings and one of each
 * stereo or near-identical pair are left out.
 */
interface PhotoPackage {
  name: string;
  folder: string;
  files: readonly string[];
}

const SMALL_SET: readonly PhotoPackage[] = [
  { name: 'python3-sklearn', folder: 'usr/lib/python3/dist-packages/sklearn/datasets/images', files: ['china.jpg', 'flower.jpg'] },
  {
    name: 'python3-skimage',
    folder: 'usr/lib/python3/dist-packages/skimage/data',
    files: ['astronaut.png', 'chelsea.png', 'coffee.png', 'ihc.png', 'motorcycle_left.png', 'rocket.jpg'],
  },
];

const LARGE_SET: readonly PhotoPackage[] = [
  ...SMALL_SET,
  {
    name: 'opencv-doc',
    folder: 'usr/share/doc/opencv-doc/examples/data',
    files: [
      'aero1.jpg',
      'aero3.jpg',
      'aloeL.jpg',
      'apple.jpg',
      'baboon.jpg',
      'board.jpg',
      'building.jpg',
      'butterfly.jpg',
      'chicky_512.png',
      'ela_original.jpg',
      'fruits.jpg',
      'graf1.png',
      'home.jpg',
      'left.jpg',
      'leuvenA.jpg',
      'messi5.jpg',
      'orange.jpg',
      'rubberwhale1.png',
      'squirrel_cls.jpg',
      'stuff.jpg',
    ],
  },
  {
    name: 'plasma-workspace-wallpapers',
    folder: 'usr/share/wallpapers',
    files: [
      'BytheWater/contents/images/1920x1080.jpg',
      'ColdRipple/contents/images/1920x1080.jpg',
      'ColorfulCups/contents/images/2560x1600.jpg',
      'DarkestHour/contents/images/1920x1080.jpg',
      'EveningGlow/contents/images/1920x1080.jpg',
      'FallenLeaf/contents/images/1920x1080.jpg',
      'Grey/contents/images/1920x1080.jpg',
      'Kite/contents/images/1920x1080.jpg',
      'OneStandsOut/contents/images/1920x1080.jpg',
      'Path/contents/images/1920x1080.jpg',
      'summer_1am/contents/images/1920x1080.jpg',
    ],
  },
];

export interface PhotoFile {
  file: string;
  /** A Debian package name, or the folder the user named. */
  origin: string;
}

/** Small benchmarks (tests, quick looks) take their photos from the two small packages only. */
function photoPackages(small: boolean): readonly PhotoPackage[] {
  return small ? SMALL_SET : LARGE_SET;
}

export function photoRequests(small: boolean): DebianRequest[] {
  return photoPackages(small).map((entry) => ({ name: entry.name, paths: entry.files.map((file) => `./${entry.folder}/${file}`) }));
}

export function debianPhotos(small: boolean, packages: ReadonlyMap<string, DebianPackage>): PhotoFile[] {
  return photoPackages(small).flatMap((entry) => {
    const found = packages.get(entry.name);
    return found ? entry.files.map((file) => ({ file: path.join(found.root, entry.folder, file), origin: entry.name })) : [];
  });
}

/** Every image under a folder the user named (sorted, so the choice of photo is deterministic). */
export async function photosInFolder(folder: string): Promise<PhotoFile[]> {
  const entries = await fs.readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isImageFileName(entry.name))
    .map((entry) => path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name))
    .sort()
    .map((file) => ({ file, origin: folder }));
}
