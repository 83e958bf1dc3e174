import type { DatasetIssue } from './datasetSummary';

/** Explains why a file-system call failed, as an issue rather than an exception. */
export function fileSystemIssue(error: unknown, filePath: string, attempted: string): DatasetIssue {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ELOOP':
      return { code: 'symlink-loop', message: `Cannot ${attempted}: its symbolic links form a loop.`, path: filePath };
    case 'EACCES':
    case 'EPERM':
      return { code: 'unreadable', message: `Cannot ${attempted}: permission denied.`, path: filePath };
    case 'ENOENT':
      return {
        code: 'unreadable',
        message: `Cannot ${attempted}: it does not exist (a broken symbolic link, or deleted during the scan).`,
        path: filePath,
      };
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return { code: 'unreadable', message: `Cannot ${attempted}: ${detail}`, path: filePath };
    }
  }
}
