import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { makeImage } from '../fixtures/imageTree';
import type { ClassSummary, DatasetIssue, DatasetIssueCode, DatasetSummary, DomainSummary } from '../../src/datasetScan/datasetSummary';

/** A fresh temporary folder, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-scan-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a real PNG (or any bytes) at `root/relative`, creating folders on the way. */
export async function writeAt(root: string, relative: string, bytes: Buffer | string = makeImage(0, relative.length)): Promise<string> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

export function domainNamed(summary: DatasetSummary, name: string): DomainSummary {
  const domain = summary.domains.find((candidate) => candidate.name === name);
  if (!domain) throw new Error(`no domain ${name} in ${summary.domains.map((d) => d.name).join(', ')}`);
  return domain;
}

export function classNamed(domain: DomainSummary, name: string): ClassSummary {
  const found = domain.classes.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no class ${name} in ${domain.classes.map((c) => c.name).join(', ')}`);
  return found;
}

/** Every issue anywhere in the summary (root, domains, classes). */
export function allIssues(summary: DatasetSummary): DatasetIssue[] {
  return [...summary.issues, ...summary.domains.flatMap((domain) => [...domain.issues, ...domain.classes.flatMap((entry) => entry.issues)])];
}

export function issuesWithCode(issues: readonly DatasetIssue[], code: DatasetIssueCode): DatasetIssue[] {
  return issues.filter((issue) => issue.code === code);
}

/** `{domain: {class: count}}`, the shape most assertions compare against. */
export function countsOf(summary: DatasetSummary): Record<string, Record<string, number>> {
  return Object.fromEntries(summary.domains.map((domain) => [domain.name, Object.fromEntries(domain.classes.map((entry) => [entry.name, entry.count]))]));
}
