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

const about = { runId: 'run x', epoch: 3 };

describe('exportResultsTable', () => {
  it('writes a Markdown table of top-1 % per target and mean', () => {
    assert.equal(
      exportResultsTable(models, 'markdown', about),
      '<!-- run x: top-1 accuracy (%) at the last epoch (epoch 3), chosen without target labels -->\n| model | svhn | usps, v2 | mean |\n|---|--:|--:|--:|\n| teacher_svhn | 61.2 |  | 60.0 |\n| student | 50.0 | 60.0 | 55.0 |\n',
    );
  });

  it('quotes CSV cells that need it', () => {
    assert.equal(exportResultsTable(models, 'csv', about), 'model,svhn,"usps, v2",mean\nteacher_svhn,61.2,,60.0\nstudent,50.0,60.0,55.0\n');
  });

  it('writes LaTeX as a paper table (latexTable.test.ts has it whole): a missing value reads --', () => {
    const latex = exportResultsTable(models, 'latex', about);
    assert.match(latex, /\\begin\{tabular\}\{lrrr\}/);
    assert.match(latex, /\nteacher\\_svhn & \\textbf\{61\.2\} & -- & \\textbf\{60\.0\} \\\\\n/);
  });
});
