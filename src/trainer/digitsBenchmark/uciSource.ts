import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DebianPackage, DebianRequest } from './debianPackages';
import type { DomainSource } from './digitsDomain';

const SKLEARN_PACKAGE = 'python3-sklearn';
const DATA_FOLDER = 'usr/lib/python3/dist-packages/sklearn/datasets';
const CSV = 'data/digits.csv.gz';

export const UCI_REQUEST: DebianRequest = { name: SKLEARN_PACKAGE, paths: [`./${DATA_FOLDER}/${CSV}`, `./${DATA_FOLDER}/descr/digits.rst`] };

export interface UciFile {
  csv: string;
  source: DomainSource;
}

const DATA_LICENCE = 'UCI optical recognition of handwritten digits (Alpaydin & Kaynak 1998): CC BY 4.0 as the UCI repository lists it';

export function debianUci(found: DebianPackage | undefined): UciFile | undefined {
  if (!found) return undefined;
  const csv = path.join(found.root, DATA_FOLDER, CSV);
  if (!existsSync(csv)) return undefined;
  return {
    csv,
    source: { kind: 'debian', name: found.name, version: found.version, licences: [...found.licences, DATA_LICENCE], used: [`/${DATA_FOLDER}/${CSV}`] },
  };
}

/** Without Debian packages: the same file from a scikit-learn that Python already has, if any. */
export function pythonUci(): UciFile | undefined {
  for (const python of process.platform === 'win32' ? ['python', 'py'] : ['python3', 'python']) {
    const probe = spawnSync(python, ['-c', 'import os, sklearn; print(os.path.dirname(sklearn.__file__)); print(sklearn.__version__)'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const [folder, version] = probe.stdout.trim().split(/\r?\n/);
    const csv = path.join(folder, 'datasets', CSV);
    if (existsSync(csv)) return { csv, source: { kind: 'python', name: 'scikit-learn', version, licences: ['BSD-3-Clause', DATA_LICENCE], used: [csv] } };
  }
  return undefined;
}
