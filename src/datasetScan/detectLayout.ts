import { isImageFileName } from './imageFiles';
import { parseIdxFileName } from './idxFormat';
import { CLASS_NAME_FILES, isListFileName } from './listFileFormat';
import { isIssue, readFolder, type FolderContents, type FolderFile, type VisitedFolder } from './readFolder';
import type { DatasetIssue } from './datasetSummary';

export type DetectedLayout =
  | { layout: 'idx'; idxFileNames: string[] }
  | { layout: 'listfile'; listFiles: string[]; classNamesFile?: string }
  | { layout: 'imagefolder' | 'office31' }
  | { layout: undefined; issue: DatasetIssue };

const EXPECTED =
  'expected <domain>/<class>/<images> (ImageFolder), <domain>/images/<class>/<images> (Office-31), ' +
  '*.txt list files of "<path> <label>" lines, in the root or in list/ (ImageCLEF-DA), ' +
  'or MNIST IDX files such as train-images-idx3-ubyte and train-labels-idx1-ubyte';

function findClassNamesFile(...candidates: readonly FolderFile[][]): string | undefined {
  for (const files of candidates) {
    const found = files.find((file) => CLASS_NAME_FILES.includes(file.name.toLowerCase()));
    if (found) return found.path;
  }
  return undefined;
}

function unknownLayout(root: VisitedFolder, contents: FolderContents, domainShapes: readonly (FolderContents | DatasetIssue)[]): DatasetIssue {
  let found: string;
  if (contents.folders.length === 0 && contents.files.length === 0) {
    found = 'The folder is empty.';
  } else {
    found = `It holds ${contents.folders.length} folders without sub-folders and ${contents.files.length} files.`;
    const holdsImages = domainShapes.some((shape) => !isIssue(shape) && shape.files.some((file) => isImageFileName(file.name)));
    if (holdsImages) found += ' Its folders hold images directly: if it is one domain, use the folder above it as the root.';
  }
  return { code: 'unknown-layout', message: `No known dataset layout fits ${root.path}: ${EXPECTED}. ${found}`, path: root.path };
}

/**
 * Decides how a root is organised, from its contents. Explicit markers win: IDX files, then a
 * list/ folder. Then folder shapes, where Office-31 is a domain whose only sub-folder is images/.
 * Loose *.txt files in the root count as list files only when no folder layout fits, so a README.txt
 * next to ImageFolder domains does not turn the dataset into a list-file one.
 */
export async function detectLayout(root: VisitedFolder, contents: FolderContents): Promise<DetectedLayout> {
  const idxFileNames = contents.files.map((file) => file.name).filter((name) => parseIdxFileName(name) !== undefined);
  if (idxFileNames.length > 0) return { layout: 'idx', idxFileNames };

  const listFolder = contents.folders.find((folder) => folder.name === 'list');
  const listFolderContents = listFolder ? await readFolder(listFolder.path, [root, listFolder]) : undefined;
  const listFolderFiles = listFolderContents && !isIssue(listFolderContents) ? listFolderContents.files : [];
  const classNamesFile = findClassNamesFile(contents.files, listFolderFiles);
  const listFolderLists = listFolderFiles.filter((file) => isListFileName(file.name));
  if (listFolderLists.length > 0) return { layout: 'listfile', listFiles: listFolderLists.map((file) => file.path), classNamesFile };

  const domainShapes = await Promise.all(contents.folders.map((folder) => readFolder(folder.path, [root, folder])));
  const nested = domainShapes.filter((shape): shape is FolderContents => !isIssue(shape) && shape.folders.length > 0);
  if (nested.length > 0) {
    const office31 = nested.every((shape) => shape.folders.length === 1 && shape.folders[0].name === 'images');
    return { layout: office31 ? 'office31' : 'imagefolder' };
  }

  const rootLists = contents.files.filter((file) => isListFileName(file.name));
  if (rootLists.length > 0) return { layout: 'listfile', listFiles: rootLists.map((file) => file.path), classNamesFile };

  return { layout: undefined, issue: unknownLayout(root, contents, domainShapes) };
}
