/**
 * What a scan of a dataset root found. Pure data (JSON-serialisable): the Datasets view, the
 * dataset panel and the trainer all read this shape.
 */

export type DatasetLayout = 'imagefolder' | 'office31' | 'listfile' | 'idx';

export const LAYOUT_LABELS: Record<DatasetLayout, string> = {
  imagefolder: 'ImageFolder',
  office31: 'Office-31',
  listfile: 'List files',
  idx: 'MNIST IDX',
};

export type DatasetIssueCode =
  | 'missing-root'
  | 'not-a-directory'
  | 'unknown-layout'
  | 'unreadable'
  | 'symlink-loop'
  | 'empty-file'
  | 'non-image-files'
  | 'empty-class'
  | 'empty-domain'
  | 'class-mismatch'
  | 'malformed-line'
  | 'missing-image'
  | 'bad-idx'
  /** A file where a domain or class folder was expected (it is ignored). */
  | 'unexpected-file'
  /** A list-file label beyond the names in `classes.txt` / `class_names.txt`. */
  | 'unknown-label'
  /** A list-file label far outside the range the other labels form (no class-names file to check against). */
  | 'stray-label'
  /** A file counted as an image whose first bytes are no format the trainer decodes. */
  | 'undecodable-image';

/** A problem found while scanning. Never thrown: attached to the node it concerns. */
export interface DatasetIssue {
  code: DatasetIssueCode;
  message: string;
  /** The file the problem is in, when there is one. */
  path?: string;
  /** 1-based line, for list files. */
  line?: number;
}

export interface ClassSummary {
  name: string;
  /** Readable images of this class. */
  count: number;
  /** Absolute paths of a few images, for thumbnails (none for IDX). */
  samples: string[];
  issues: DatasetIssue[];
}

export interface DomainSummary {
  name: string;
  /** The folder (or list / IDX file) the domain was read from. */
  path: string;
  count: number;
  classes: ClassSummary[];
  issues: DatasetIssue[];
}

export interface DatasetSummary {
  root: string;
  /** Undefined when the root could not be read or no layout fits. */
  layout?: DatasetLayout;
  count: number;
  domains: DomainSummary[];
  /** The union of class names over all domains, sorted. */
  classNames: string[];
  issues: DatasetIssue[];
}
