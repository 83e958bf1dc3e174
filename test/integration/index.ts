/**
 * The integration test runner that VS Code's extension host loads (`extensionTestsPath`): runs
 * mocha (BDD: `describe`/`it`, 60 s timeout) over every `*.test.js` beside this file, prints one
 * line per test, and writes a results file to `$KDUDA_TEST_RESULTS`. Some hosts (code-server)
 * exit 0 whatever happens, so that file, not the exit status, is the truth.
 *
 * Optional: `KDUDA_TEST_GREP` (a regular expression on full test titles) and `KDUDA_TEST_FILES` (a
 * regular expression on test file names) run a subset. `KDUDA_TEST_TRUST` says whether the harness
 * opened the workspace `trusted` or `untrusted` (Restricted Mode).
 */
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export interface TestResults {
  passed: number;
  failed: number;
  pending: number;
  failures: Array<{ title: string; error: string }>;
  tests: TestResult[];
  files: string[];
  startedAt: string;
  finishedAt: string;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    // Keep mocha's assertion diff (actual/expected) readable in one string.
    // (mocha's reporter base may already have turned actual/expected into strings for its diff)
    const show = (value: unknown) => (typeof value === 'string' || value instanceof RegExp ? String(value) : JSON.stringify(value));
    const extra =
      'actual' in error && 'expected' in error && (error as { showDiff?: boolean }).showDiff !== false
        ? `\n  actual:   ${show((error as { actual: unknown }).actual)}\n  expected: ${show((error as { expected: unknown }).expected)}`
        : '';
    return `${error.stack ?? `${error.name}: ${error.message}`}${extra}`;
  }
  return String(error);
}

function writeResults(results: TestResults): void {
  const target = process.env.KDUDA_TEST_RESULTS;
  if (!target) return;
  const partial = `${target}.partial-${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(partial, target);
}

export async function run(): Promise<void> {
  const startedAt = new Date().toISOString();
  const results: TestResults = { passed: 0, failed: 0, pending: 0, failures: [], tests: [], files: [], startedAt, finishedAt: startedAt };
  const finish = () => {
    results.finishedAt = new Date().toISOString();
    writeResults(results);
    console.log(`${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} pending` : ''}`);
  };

  try {
    const files = readdirSync(__dirname)
      .filter((name) => name.endsWith('.test.js'))
      .filter((name) => !process.env.KDUDA_TEST_FILES || new RegExp(process.env.KDUDA_TEST_FILES).test(name))
      .sort()
      .map((name) => path.join(__dirname, name));
    results.files = files.map((file) => path.basename(file));
    // `color: false` keeps escape codes out of logs the harness prints; the 'base' reporter prints
    // nothing itself: the lines below are the report.
    const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: Mocha.reporters.Base });
    if (process.env.KDUDA_TEST_GREP) mocha.grep(new RegExp(process.env.KDUDA_TEST_GREP));
    for (const file of files) mocha.addFile(file);
    console.log(`integration: ${files.length} test file(s): ${results.files.join(', ') || '(none)'}`);

    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (test: Mocha.Test) => {
        results.passed++;
        results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration });
        console.log(`  ✔ ${test.fullTitle()} (${test.duration ?? 0} ms)`);
      });
      runner.on('fail', (test: Mocha.Runnable, error: unknown) => {
        results.failed++;
        const title = test.fullTitle();
        const message = describeError(error);
        results.failures.push({ title, error: message });
        results.tests.push({ title, state: 'failed', durationMs: test.duration, error: message });
        console.log(`  ✘ ${title}\n${message.replace(/^/gm, '      ')}`);
      });
      runner.on('pending', (test: Mocha.Test) => {
        results.pending++;
        results.tests.push({ title: test.fullTitle(), state: 'pending' });
        console.log(`  - ${test.fullTitle()} (pending)`);
      });
    });
  } catch (error) {
    // A test file that throws while loading, or mocha itself failing.
    results.failed++;
    const message = describeError(error);
    results.failures.push({ title: 'loading the integration tests', error: message });
    results.tests.push({ title: 'loading the integration tests', state: 'failed', error: message });
    console.log(`  ✘ loading the integration tests\n${message.replace(/^/gm, '      ')}`);
  }

  finish();
  if (results.failed > 0) throw new Error(`${results.failed} integration test(s) failed`);
}
