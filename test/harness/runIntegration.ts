/**
 * Runs the integration tests (out/test/integration/*.test.js) inside a real VS Code extension host.
 *
 *   node out/test/harness/runIntegration.js [--runner code-server|electron] [--grep REGEX] [--files REGEX]
 *                                           [--untrusted] [--extension-development-path DIR]
 *                                           [--extension-tests-path FILE]
 *
 * Runner default: $KDUDA_TEST_RUNNER, else code-server (works offline: a VS Code server plus the web
 * workbench in headless Chromium). `electron` uses @vscode/test-electron, which downloads VS Code.
 * Either way the tests write a results file, which is the truth (code-server's host exits 0 even
 * when tests fail). Prints one line per test and then `N passed, N failed`; exits 1 unless at least
 * one test ran and none failed.
 *
 * --grep: only tests whose full title matches; --files: only test files whose name matches;
 * --untrusted: the workspace opens in Restricted Mode (workspace trust on, never granted), and the
 * tests see KDUDA_TEST_TRUST=untrusted (else `trusted`).
 *
 * Env: KDUDA_INTEGRATION_TIMEOUT_S (default 900: the Slurm tests train several small runs) bounds the whole test run; KDUDA_VERBOSE=1 echoes
 * the workbench console (extension host output included) as it comes.
 *
 * A trusted run whose files include the Slurm tests starts a real one-node Slurm first (see
 * slurmCluster.ts) and gives the extension host its SLURM_CONF, as a login node's environment
 * would; KDUDA_SLURM=0 leaves it out (the Slurm tests then skip).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestResults } from '../integration';
import { launchBrowser, type BrowserSession } from './browser';
import { poll } from './poll';
import { harnessUserSettings, startCodeServer, type CodeServer } from './codeServer';
import { EXTENSION_MAIN, INTEGRATION_INDEX, REPO_ROOT, VSCODE_TEST_DIR } from './paths';
import { createTestWorkspace, type TestWorkspace } from './workspace';
import { startSlurmCluster, type SlurmCluster } from './slurmCluster';

type Runner = 'code-server' | 'electron';

interface Options {
  runner: Runner;
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  grep?: string;
  files?: string;
  untrusted: boolean;
  timeoutMs: number;
}

function usage(problem: string): never {
  console.error(`runIntegration: ${problem}`);
  console.error(
    'usage: node out/test/harness/runIntegration.js [--runner code-server|electron] [--grep REGEX] [--files REGEX] [--untrusted]\n' +
      '         [--extension-development-path DIR] [--extension-tests-path FILE]',
  );
  process.exit(2);
}

/** The runner named by --runner or KDUDA_TEST_RUNNER, checked where the text comes in. */
function parseRunner(text: string): Runner {
  if (text !== 'code-server' && text !== 'electron') usage(`unknown runner "${text}" (code-server or electron)`);
  return text;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    runner: parseRunner(process.env.KDUDA_TEST_RUNNER || 'code-server'),
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: INTEGRATION_INDEX,
    grep: process.env.KDUDA_TEST_GREP || undefined,
    files: process.env.KDUDA_TEST_FILES || undefined,
    untrusted: process.env.KDUDA_TEST_TRUST === 'untrusted',
    timeoutMs: Number(process.env.KDUDA_INTEGRATION_TIMEOUT_S || 900) * 1000,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    switch (flag) {
      case '--runner':
        options.runner = parseRunner(value());
        break;
      case '--grep':
        options.grep = value();
        break;
      case '--files':
        options.files = value();
        break;
      case '--untrusted':
        options.untrusted = true;
        break;
      case '--extension-development-path':
        options.extensionDevelopmentPath = path.resolve(value());
        break;
      case '--extension-tests-path':
        options.extensionTestsPath = path.resolve(value());
        break;
      case '--help':
      case '-h':
        usage('help');
        break;
      default:
        usage(`unknown argument ${argv[i]}`);
    }
  }
  return options;
}

function checkBuilt(options: Options): void {
  const problems: string[] = [];
  if (options.extensionDevelopmentPath === REPO_ROOT && !existsSync(EXTENSION_MAIN)) problems.push(`${EXTENSION_MAIN} is missing`);
  if (!existsSync(options.extensionTestsPath)) problems.push(`${options.extensionTestsPath} is missing`);
  if (problems.length) {
    console.error(`runIntegration: ${problems.join('; ')}: build first with \`node esbuild.mjs --tests\``);
    process.exit(2);
  }
}

/** What the test runner in the extension host reads (see test/integration/index.ts). */
function testEnv(options: Options, resultsFile: string, slurm: SlurmCluster | undefined): Record<string, string | undefined> {
  return {
    ...(slurm ? { SLURM_CONF: slurm.env.SLURM_CONF, KDUDA_TEST_SLURM_PARTITION: slurm.partition } : {}),
    KDUDA_TEST_RESULTS: resultsFile,
    KDUDA_TEST_GREP: options.grep,
    KDUDA_TEST_FILES: options.files,
    KDUDA_TEST_TRUST: options.untrusted ? 'untrusted' : 'trusted',
  };
}

function readResults(file: string): TestResults | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TestResults;
  } catch {
    return undefined;
  }
}

/** Prints the per-test lines and the summary; returns the process exit code. */
function report(results: TestResults): number {
  for (const test of results.tests) {
    if (test.state === 'passed') console.log(`  ✔ ${test.title}${test.durationMs !== undefined ? ` (${test.durationMs} ms)` : ''}`);
    else if (test.state === 'pending') console.log(`  - ${test.title} (pending)`);
    else console.log(`  ✘ ${test.title}`);
  }
  for (const [n, failure] of results.failures.entries()) {
    console.log(`\n  ${n + 1}) ${failure.title}\n${failure.error.replace(/^/gm, '     ')}`);
  }
  if (results.failures.length) console.log('');
  if (results.passed + results.failed === 0) console.log(`no tests ran (test files seen: ${results.files.join(', ') || 'none'})`);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  return results.failed > 0 || results.passed === 0 ? 1 : 0;
}

async function runWithCodeServer(
  options: Options,
  workspace: TestWorkspace,
  resultsFile: string,
  slurm: SlurmCluster | undefined,
): Promise<TestResults | undefined> {
  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  const verbose = process.env.KDUDA_VERBOSE === '1';
  try {
    server = await startCodeServer({ workspace: workspace.root, trust: !options.untrusted, env: testEnv(options, resultsFile, slurm) });
    browser = await launchBrowser({
      onConsole: verbose ? (text) => console.log(`  [workbench] ${text}`) : undefined,
    });
    const url = server.urlFor({ extensionDevelopmentPath: options.extensionDevelopmentPath, extensionTestsPath: options.extensionTestsPath });
    console.log(`opening ${url}`);
    const started = Date.now();
    await browser.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    try {
      await poll('the integration results file', () => existsSync(resultsFile), options.timeoutMs, 250);
    } catch {
      console.error(`runIntegration: no results after ${Math.round(options.timeoutMs / 1000)} s: the extension host did not run the tests to the end.`);
      console.error(server.logTail(40));
      console.error(`--- workbench console (last 40 lines) ---\n${browser.consoleLines.slice(-40).join('\n')}`);
      return undefined;
    }
    const results = readResults(resultsFile);
    if (!results) {
      console.error(`runIntegration: unreadable results file ${resultsFile}:\n${readFileSync(resultsFile, 'utf8').slice(0, 2000)}`);
      return undefined;
    }
    console.log(`tests ran in ${((Date.now() - started) / 1000).toFixed(1)} s (workbench load included)`);
    return results;
  } finally {
    await browser?.dispose();
    await server?.dispose();
  }
}

async function runWithElectron(
  options: Options,
  workspace: TestWorkspace,
  resultsFile: string,
  slurm: SlurmCluster | undefined,
): Promise<TestResults | undefined> {
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  const version = process.env.KDUDA_VSCODE_VERSION || 'stable';
  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version, cachePath: VSCODE_TEST_DIR, timeout: 60_000 });
  } catch (error) {
    console.error(
      `runIntegration: could not download VS Code ${version} for the electron runner: ${(error as Error).message}\n` +
        'This machine probably cannot reach update.code.visualstudio.com. Use the offline runner instead:\n' +
        '  node out/test/harness/runIntegration.js --runner code-server   (or KDUDA_TEST_RUNNER=code-server)',
    );
    return undefined;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.warn('runIntegration: no $DISPLAY; VS Code (Electron) needs one on Linux: run under `xvfb-run -a`.');
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'kduda-electron-'));
  const userDataDir = path.join(profile, 'user-data');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(harnessUserSettings(!options.untrusted), null, 2)}\n`);
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: options.extensionDevelopmentPath,
      extensionTestsPath: options.extensionTestsPath,
      extensionTestsEnv: testEnv(options, resultsFile, slurm),
      launchArgs: [
        workspace.root,
        '--disable-extensions',
        ...(options.untrusted ? [] : ['--disable-workspace-trust']),
        '--disable-gpu',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${userDataDir}`,
        `--extensions-dir=${path.join(profile, 'extensions')}`,
      ],
    });
  } catch (error) {
    // A non-zero exit is expected when tests fail; the results file says what happened.
    if (!existsSync(resultsFile)) console.error(`runIntegration: VS Code failed: ${(error as Error).message}`);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  const results = readResults(resultsFile);
  if (!results) console.error(`runIntegration: VS Code wrote no results file (${resultsFile}); the test runner did not run to the end.`);
  return results;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  checkBuilt(options);
  const started = Date.now();
  const workspace = await createTestWorkspace();
  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'kduda-results-'));
  const resultsFile = path.join(resultsDir, 'integration-results.json');
  console.log(`integration tests (${options.runner} runner${options.untrusted ? ', untrusted workspace' : ''}), workspace ${workspace.root}`);
  const wantsSlurm = !options.untrusted && process.env.KDUDA_SLURM !== '0' && (!options.files || new RegExp(options.files).test('slurm'));
  let slurm: SlurmCluster | undefined;
  try {
    if (wantsSlurm) slurm = await startSlurmCluster({ killWait: 15, log: (line) => console.log(`slurm: ${line}`) });
    const results =
      options.runner === 'electron'
        ? await runWithElectron(options, workspace, resultsFile, slurm)
        : await runWithCodeServer(options, workspace, resultsFile, slurm);
    console.log(`integration run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!results) {
      console.log('0 passed, 1 failed');
      return 1;
    }
    return report(results);
  } finally {
    await slurm?.stop();
    await workspace.dispose();
    rmSync(resultsDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`runIntegration: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
