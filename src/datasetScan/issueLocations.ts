import type { DatasetIssue, DatasetSummary } from './datasetSummary';

/** A scan issue placed on the file or folder it concerns, worded so it reads alone in the Problems panel. */
export interface LocatedIssue {
  code: DatasetIssue['code'];
  /** The file or folder the Problems panel lists it under. */
  path: string;
  /** 1-based line, for list files. */
  line?: number;
  message: string;
  /** The root could not be read as a dataset at all (missing, a file, no known layout). */
  fatal: boolean;
}

const FATAL = new Set<DatasetIssue['code']>(['missing-root', 'not-a-directory', 'unknown-layout']);

/** `Class "8" has no images.` under domain "broken" reads `Domain "broken": class "8" has no images.`; other messages get the names in front. */
function withContext(message: string, domain: string | undefined, className: string | undefined): string {
  if (domain === undefined) return message;
  const domainLabel = `Domain "${domain}"`;
  if (className === undefined) return message.startsWith(domainLabel) ? message : `${domainLabel}: ${message}`;
  const classLabel = `Class "${className}"`;
  if (message.startsWith(classLabel)) return `${domainLabel}: class${message.slice('Class'.length)}`;
  return `${domainLabel}, class "${className}": ${message}`;
}

/**
 * Every issue of a scan with the place it concerns (its own path, else its class's, domain's or
 * the root's folder) and a message naming its domain and class: the scan keeps issues on tree
 * nodes, where the node says which; a Problems panel entry has only its path to say it.
 */
export function locatedIssues(summary: DatasetSummary): LocatedIssue[] {
  const located: LocatedIssue[] = [];
  const add = (issue: DatasetIssue, fallbackPath: string, domain?: string, className?: string) =>
    located.push({
      code: issue.code,
      path: issue.path ?? fallbackPath,
      ...(issue.line !== undefined ? { line: issue.line } : {}),
      message: withContext(issue.message, domain, className),
      fatal: FATAL.has(issue.code),
    });
  for (const issue of summary.issues) add(issue, summary.root);
  for (const domain of summary.domains) {
    for (const issue of domain.issues) add(issue, domain.path, domain.name);
    for (const entry of domain.classes) for (const issue of entry.issues) add(issue, domain.path, domain.name, entry.name);
  }
  return located;
}
