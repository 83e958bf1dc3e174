import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDiffReportPath, parseCheckpointDiffPanelPersistedState } from '../../src/protocol/checkpointDiffMessages';

// The Checkpoint Diff panel's saved state comes from its webview, which is not trusted: on a
// reload the host reads the file it names and may open it in an editor.

describe('the Checkpoint Diff panel’s persisted state', () => {
  it('accepts an absolute <run>/diffs/<name>.json', () => {
    for (const file of [
      '/runs/20260101-000000-tiny/diffs/student-epoch-1--teacher-epoch-1.0123456789.json',
      '/r/diffs/a--b.json',
      'C:\\runs\\r\\diffs\\a--b.json',
      'C:/runs/r/diffs/a--b.json',
      '\\\\server\\share\\r\\diffs\\a.json',
    ]) {
      assert.equal(isDiffReportPath(file), true, file);
      assert.deepEqual(parseCheckpointDiffPanelPersistedState({ reportFile: file, tab: 'architecture' }), { reportFile: file, tab: 'architecture' });
    }
  });

  it('refuses any other file the webview could name', () => {
    for (const file of [
      '/etc/passwd',
      '/etc/passwd.json',
      '/home/me/.ssh/id_rsa',
      '/r/diffs/a--b.txt',
      '/r/diffs/a--b.json.bak',
      '/r/diffs/.json',
      '/r/diffs/',
      '/r/diffs',
      '/diffs/a.json',
      '/r/not-diffs/a.json',
      '/r/diffs/sub/a.json',
      '/r/diffs/../../etc/passwd.json',
      '/r/diffs/../diffs/a.json',
      '/etc/../r/diffs/a.json',
      '/r/./diffs/a.json',
      '/r//diffs/a.json',
      '/r/diffs\\a.json',
      '/r/diffs/a.json\0.txt',
      'diffs/a.json',
      'r/diffs/a.json',
      './r/diffs/a.json',
      '~/r/diffs/a.json',
      'file:///r/diffs/a.json',
      'C:r\\diffs\\a.json',
      '',
    ]) {
      assert.equal(isDiffReportPath(file), false, JSON.stringify(file));
      assert.equal(parseCheckpointDiffPanelPersistedState({ reportFile: file }), undefined, JSON.stringify(file));
    }
    for (const state of [null, undefined, 'x', [], {}, { reportFile: 3 }, { reportFile: ['/r/diffs/a.json'] }]) {
      assert.equal(parseCheckpointDiffPanelPersistedState(state), undefined, JSON.stringify(state));
    }
  });
});
