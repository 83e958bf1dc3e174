import { plural, quotedPreview } from './issueText';
import type { FolderFile } from './readFolder';
import type { DatasetIssue } from './datasetSummary';

/**
 * Files lying where only folders belong (next to domain folders, or next to class folders): they
 * are ignored, and said so in one issue per folder, because they are often misplaced images.
 */
export function unexpectedFilesIssue(files: readonly FolderFile[], folder: string, expected: string): DatasetIssue[] {
  if (files.length === 0) return [];
  const names = files.map((file) => file.name);
  return [
    {
      code: 'unexpected-file',
      message: `${plural(files.length, 'file')} ignored where only ${expected} folders belong: ${quotedPreview(names)}.`,
      path: files.length === 1 ? files[0].path : folder,
    },
  ];
}
