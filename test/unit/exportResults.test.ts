import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportResultsTable } from '../../src/runComparison/resultsTableFormats';

const models = [
  {
    role: 'teacher_svhn',
    meanTarget: 0.6,
    targets: [
      { domain: 'svhn', accuracy: 0.612 },
      { domain: 'usps, v2', accuracy: Number.NaN },
    ],
  },
  {
    role: 'student',
    meanTarget: 0.55,
    targets: [
      { domain: 'svhn', accuracy: 0.5 },
      { domain: 'usps, v2', accuracy: 0.6 },
    ],
  },
];

describe('exportResultsTable', () => {
  it('writes a Markdown table of top-1 % per target and mean', () => {
    assert.equal(
      exportResultsTable(models, 'markdown', 'run x, last epoch'),
      '<!-- run x, last epoch -->\n| model | svhn | usps, v2 | mean |\n|---|--:|--:|--:|\n| teacher_svhn | 61.2 |  | 60.0 |\n| student | 50.0 | 60.0 | 55.0 |\n',
    );
  });

  it('quotes CSV cells that need it', () => {
    assert.equal(exportResultsTable(models, 'csv', 'c'), 'model,svhn,"usps, v2",mean\nteacher_svhn,61.2,,60.0\nstudent,50.0,60.0,55.0\n');
  });

  it('escapes LaTeX specials in names and caption', () => {
    const latex = exportResultsTable(models, 'latex', '100% of run_1');
    assert.match(latex, /\\begin\{tabular\}\{lrrr\}/);
    // The empty cell (no accuracy for that target) is two spaces between its ampersands.
    assert.match(latex, /teacher\\_svhn & 61\.2 & {2}& 60\.0 \\\\/);
    assert.match(latex, /\\caption\{100\\% of run\\_1\}/);
  });
});
