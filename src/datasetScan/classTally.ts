import { plural, quotedPreview } from './issueText';
import type { ClassSummary, DatasetIssue, DatasetIssueCode } from './datasetSummary';

/** Only the first few names of a skipped kind are kept: a class may hold 100,000 of them. */
const KEPT_EXAMPLES = 5;

/** Files of one kind that were skipped, kept as a count and a few examples. */
class SkippedFiles {
  count = 0;
  readonly examples: string[] = [];
  firstPath = '';

  add(displayName: string, absolutePath: string): void {
    if (this.count === 0) this.firstPath = absolutePath;
    if (this.examples.length < KEPT_EXAMPLES) this.examples.push(displayName);
    this.count++;
  }

  /** One issue for all of them; it points at the file itself when there is just one. */
  issue(code: DatasetIssueCode, what: [singular: string, plural: string], where: string): DatasetIssue | undefined {
    if (this.count === 0) return undefined;
    return {
      code,
      message: `${plural(this.count, ...what)} skipped: ${quotedPreview(this.examples, this.count)}.`,
      path: this.count === 1 ? this.firstPath : where,
    };
  }
}

/** Accumulates what one class holds while its folder (or its list-file lines) is read. */
export class ClassTally {
  private count = 0;
  private readonly samples: string[] = [];
  private readonly emptyImages = new SkippedFiles();
  private readonly nonImages = new SkippedFiles();
  private readonly issues: DatasetIssue[] = [];
  private unreadable = false;

  constructor(
    readonly name: string,
    private readonly samplesPerClass: number,
  ) {}

  /** A 0-byte file cannot be decoded, so it is reported and not counted. */
  addImage(displayName: string, absolutePath: string, size: number): void {
    if (size === 0) {
      this.emptyImages.add(displayName, absolutePath);
      return;
    }
    this.count++;
    if (this.samples.length < this.samplesPerClass) this.samples.push(absolutePath);
  }

  addNonImage(displayName: string, absolutePath: string): void {
    this.nonImages.add(displayName, absolutePath);
  }

  addIssue(issue: DatasetIssue): void {
    if (issue.code === 'unreadable') this.unreadable = true;
    this.issues.push(issue);
  }

  /** `where` is the class folder (or list file) that aggregated issues point at. */
  summary(where: string): ClassSummary {
    const issues = [...this.issues];
    const empty = this.emptyImages.issue('empty-file', ['empty (0-byte) image', 'empty (0-byte) images'], where);
    if (empty) issues.push(empty);
    const nonImages = this.nonImages.issue(
      'non-image-files',
      ['file that is not an image (by its extension)', 'files that are not images (by their extension)'],
      where,
    );
    if (nonImages) issues.push(nonImages);
    // An unreadable class already says why it has nothing; "empty" would only repeat it.
    if (this.count === 0 && !this.unreadable) issues.push({ code: 'empty-class', message: `Class "${this.name}" has no images.`, path: where });
    return { name: this.name, count: this.count, samples: [...this.samples], issues };
  }
}
