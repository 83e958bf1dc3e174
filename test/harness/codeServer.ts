/**
 * code-server as a headless VS Code: installs it (once) into `.vscode-test/code-server/`, starts it
 * on a free loopback port in its own process group, and builds workbench URLs that load the
 * extension under development (and optionally its integration tests) into the extension host.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { VSCODE_TEST_DIR } from './paths';
import { MARKER_VARIABLE, killTree, killTreeNow, newMarker, onHarnessExit } from './processGroup';
import { installVsix } from './installedExtension';
import { provideSystemTools } from './systemTools';

export const CODE_SERVER_VERSION = '4.100.3';
/** The VS Code release that code-server 4.100.3 ships. */
export const CODE_SERVER_VSCODE_VERSION = '1.100.3';

export const CODE_SERVER_INSTALL_DIR = path.join(VSCODE_TEST_DIR, 'code-server');
const PACKAGE_DIR = path.join(CODE_SERVER_INSTALL_DIR, 'node_modules', 'code-server');
const ENTRY = path.join(PACKAGE_DIR, 'out', 'node', 'entry.js');
const MARKER_FILE = path.join(CODE_SERVER_INSTALL_DIR, '.installed');
const INSTALL_LOG = path.join(CODE_SERVER_INSTALL_DIR, 'install.log');
const LOCK_DIR = `${CODE_SERVER_INSTALL_DIR}.lock`;

/** What `@vscode/ripgrep` 1.15.11 (pinned by code-server's shrinkwrap) downloads, and from where it reuses it. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export type Log = (message: string) => void;
const defaultLog: Log = (message) => console.log(`[code-server] ${message}`);

export interface CodeServerInstall {
  /** `node <entry>` starts code-server. */
  entry: string;
  version: string;
  installDir: string;
}

/** An error from a setup step, carrying the command and the tail of what it printed. */
export class HarnessSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarnessSetupError';
  }
}

function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

function which(command: string): string | undefined {
  const result = spawnSync('/bin/sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}

/** Checks what code-server's install needs before spending two minutes discovering it. */
function preflight(log: Log): void {
  const problems: string[] = [];
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    problems.push(`this installer supports linux-x64 only (here: ${process.platform}-${process.arch})`);
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    problems.push(`code-server ${CODE_SERVER_VERSION} requires Node.js 20; this is Node.js ${process.versions.node}`);
  }
  if (!which('npm')) problems.push('npm is not on PATH');
  if (problems.length) {
    throw new HarnessSetupError(`cannot install code-server ${CODE_SERVER_VERSION}:\n  - ${problems.join('\n  - ')}`);
  }
  try {
    provideSystemTools(['ripgrep', 'kerberos-headers', 'python3', 'make', 'g++'], log);
  } catch (error) {
    throw new HarnessSetupError(`cannot install code-server ${CODE_SERVER_VERSION}: ${(error as Error).message}`);
  }
}

/**
 * `@vscode/ripgrep`'s postinstall downloads rg from GitHub (unreachable on closed machines) unless
 * `$TMPDIR/vscode-ripgrep-cache-<version>/<asset>` exists; it then runs `tar xvf` on it and expects
 * `rg` at the archive root. We put Debian's rg there.
 */
function prepareRipgrepCache(tmpDir: string, log: Log): void {
  const cacheDir = path.join(tmpDir, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const asset = path.join(cacheDir, RIPGREP_ASSET);
  if (existsSync(asset)) {
    const listing = spawnSync('tar', ['tzf', asset], { encoding: 'utf8' });
    if (listing.status === 0 && listing.stdout.split('\n').some((entry) => entry.replace(/^\.\//, '') === 'rg')) {
      log(`reusing ripgrep archive ${asset}`);
      return;
    }
    log(`replacing ${asset}: not a tar.gz with rg at its root`);
    rmSync(asset, { force: true });
  }
  const rg = which('rg');
  if (!rg) throw new HarnessSetupError('ripgrep is missing although the harness provided it: is the cache folder writable?');
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(path.join(tmpDir, 'kduda-rg-'));
  try {
    copyFileSync(rg, path.join(staging, 'rg'));
    chmodSync(path.join(staging, 'rg'), 0o755);
    const partial = `${asset}.partial-${process.pid}`;
    runSync('pack ripgrep for @vscode/ripgrep', 'tar', ['czf', partial, '-C', staging, 'rg']);
    runSync('move ripgrep archive into place', 'mv', ['-f', partial, asset]);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`packed ${rg} as ${asset}`);
}

function runSync(step: string, command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new HarnessSetupError(
      `${step} failed: \`${command} ${args.join(' ')}\` exited with ${result.status ?? result.signal}` +
        `${result.error ? ` (${result.error.message})` : ''}\n${tail(`${result.stdout ?? ''}${result.stderr ?? ''}`)}`,
    );
  }
}

/** Explains the usual causes of a failed npm install of code-server. */
function hintsFor(output: string): string[] {
  const hints: string[] = [];
  if (/gssapi|krb5/i.test(output)) hints.push('the kerberos module did not build: apt-get install libkrb5-dev');
  if (/Downloading ripgrep failed|vscode-ripgrep|ripgrep-prebuilt/i.test(output)) {
    hints.push(
      `@vscode/ripgrep could not use the cached rg archive and tried GitHub: the archive under ${os.tmpdir()}/vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}/ ` +
        "must be a tar.gz with `rg` at its root (the harness makes one from Debian's ripgrep; is TMPDIR the same for npm?)",
    );
  }
  if (/Please pass --unsafe-perm/i.test(output)) hints.push('running as root needs npm_config_unsafe_perm=true');
  if (/EALLOWSCRIPTS/i.test(output)) hints.push('npm refused install scripts: check allowScripts in the install folder package.json');
  if (/requires node v20/i.test(output)) hints.push('code-server needs Node.js 20');
  if (/gyp ERR!/.test(output)) hints.push('a native module failed to build with node-gyp (python3, make, g++ and Node headers are needed)');
  if (/(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET)[^\n]*registry|npm error network/i.test(output))
    hints.push('the npm registry could not be reached');
  return hints;
}

function runLogged(step: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const logFd = openSync(INSTALL_LOG, 'a');
    writeFileSync(logFd, `\n$ (cd ${options.cwd} && ${command} ${args.join(' ')})\n`);
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let lastLine = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      writeFileSync(logFd, text);
      output = (output + text).slice(-200_000);
      const lines = text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !/Unknown env config/.test(line));
      if (lines.length) lastLine = lines[lines.length - 1];
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const heartbeat = setInterval(() => {
      log(`  ... ${step}: ${Math.round((Date.now() - started) / 1000)} s${lastLine ? ` (${lastLine.slice(0, 100)})` : ''}`);
    }, 20_000);
    const finish = (error?: Error) => {
      clearInterval(heartbeat);
      closeSync(logFd);
      if (error) reject(error);
      else resolve();
    };
    child.on('error', (error) => finish(new HarnessSetupError(`${step} failed: cannot run \`${command}\`: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return finish();
      const hints = hintsFor(output);
      finish(
        new HarnessSetupError(
          `${step} failed: \`${command} ${args.join(' ')}\` (in ${options.cwd}) exited with ${code ?? signal}.\n` +
            (hints.length ? `Likely cause: ${hints.join('; ')}.\n` : '') +
            `Full log: ${INSTALL_LOG}\n--- last lines ---\n${tail(output)}`,
        ),
      );
    });
  });
}

/**
 * The environment for the nested `npm install`: when the harness itself runs under `npm run`, npm
 * has put its own `npm_*` variables (package, lifecycle, local prefix, user agent...) into the
 * environment, and they would make the nested install think it belongs to the outer project. Keep
 * only the network/cache settings a user may have set on purpose.
 */
function npmEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep =
    /^npm_config_(registry|cache|proxy|https_proxy|http_proxy|noproxy|no_proxy|strict_ssl|cafile|ca|userconfig|globalconfig|offline|prefer_offline|prefer_online|fetch_.*|maxsockets)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (/^npm_/i.test(key) && !keep.test(key)) continue;
    if (key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return env;
}

/** Every `*.node` file under `dir`. */
function nativeModulesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.node'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

/** Throws unless the native pieces code-server needs really built (npm skips blocked scripts silently). */
function verifyInstall(): void {
  const vscodeModules = path.join(PACKAGE_DIR, 'lib', 'vscode', 'node_modules');
  const required: Array<[string, string]> = [
    ['argon2', path.join(CODE_SERVER_INSTALL_DIR, 'node_modules', 'argon2')],
    ['kerberos', path.join(vscodeModules, 'kerberos')],
    ['@parcel/watcher (linux-x64-glibc prebuild)', path.join(vscodeModules, '@parcel', 'watcher-linux-x64-glibc')],
    ['node-pty', path.join(vscodeModules, 'node-pty')],
    ['@vscode/spdlog', path.join(vscodeModules, '@vscode', 'spdlog')],
  ];
  const missing = required.filter(([, dir]) => nativeModulesUnder(dir).length === 0).map(([name]) => name);
  const rg = path.join(vscodeModules, '@vscode', 'ripgrep', 'bin', 'rg');
  if (!existsSync(rg)) missing.push('@vscode/ripgrep (bin/rg)');
  if (!existsSync(ENTRY)) missing.push(`code-server entry ${ENTRY}`);
  if (missing.length) {
    throw new HarnessSetupError(
      `code-server ${CODE_SERVER_VERSION} installed but its native pieces are missing: ${missing.join(', ')}.\n` +
        `npm 11 skips install scripts silently unless allowed (allowScripts in ${path.join(CODE_SERVER_INSTALL_DIR, 'package.json')}); ` +
        `kerberos needs libkrb5-dev. Full log: ${INSTALL_LOG}`,
    );
  }
}

function isInstalled(): boolean {
  try {
    return readFileSync(MARKER_FILE, 'utf8').trim() === CODE_SERVER_VERSION && existsSync(ENTRY);
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock folder so that two test processes never install at once. */
async function withInstallLock<T>(log: Log, body: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(LOCK_DIR), { recursive: true });
  let announced = false;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8'));
      } catch {
        // the owner may not have written its pid yet
      }
      const ageMs = Date.now() - (statSync(LOCK_DIR, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if ((Number.isFinite(owner) && !pidAlive(owner)) || (!Number.isFinite(owner) && ageMs > 30_000)) {
        rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (!announced) {
        log(`another process (pid ${owner}) is installing code-server; waiting for it`);
        announced = true;
      }
      if (Date.now() > deadline) throw new HarnessSetupError(`timed out waiting for the install lock ${LOCK_DIR}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * Installs code-server into `.vscode-test/code-server/` unless the marker says this version is
 * already there. Idempotent and safe to call from several processes.
 */
export async function ensureCodeServer(options: { log?: Log; force?: boolean } = {}): Promise<CodeServerInstall> {
  const log = options.log ?? defaultLog;
  const result = { entry: ENTRY, version: CODE_SERVER_VERSION, installDir: CODE_SERVER_INSTALL_DIR };
  if (!options.force && isInstalled()) return result;
  return withInstallLock(log, async () => {
    if (!options.force && isInstalled()) return result; // another process finished it meanwhile
    preflight(log);
    const started = Date.now();
    log(`installing code-server ${CODE_SERVER_VERSION} into ${CODE_SERVER_INSTALL_DIR} (first run only; about 1-2 minutes, ~300 MB)`);
    rmSync(MARKER_FILE, { force: true });
    if (options.force) {
      // A forced install starts from nothing, so every install script runs again.
      for (const name of ['node_modules', 'package-lock.json']) rmSync(path.join(CODE_SERVER_INSTALL_DIR, name), { recursive: true, force: true });
    }
    mkdirSync(CODE_SERVER_INSTALL_DIR, { recursive: true });
    writeFileSync(INSTALL_LOG, `install of code-server ${CODE_SERVER_VERSION} started ${new Date().toISOString()}\n`);
    writeFileSync(
      path.join(CODE_SERVER_INSTALL_DIR, 'package.json'),
      `${JSON.stringify(
        {
          name: 'kduda-code-server',
          description: 'code-server for the KD-UDA Lab integration and e2e tests (installed by test/harness/codeServer.ts)',
          private: true,
          dependencies: { 'code-server': CODE_SERVER_VERSION },
          // npm 11 runs dependency install scripts only when allowed here. code-server's postinstall
          // runs `npm install` in lib/vscode (kerberos, node-pty, @parcel/watcher, spdlog, ripgrep).
          allowScripts: { 'code-server': true, argon2: true },
        },
        null,
        2,
      )}\n`,
    );
    const tmpDir = os.tmpdir();
    prepareRipgrepCache(tmpDir, log);
    const env: NodeJS.ProcessEnv = {
      ...npmEnv(process.env),
      TMPDIR: tmpDir,
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
    };
    await runLogged('npm install code-server', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=warn'], { cwd: CODE_SERVER_INSTALL_DIR, env }, log);
    verifyInstall();
    writeFileSync(MARKER_FILE, `${CODE_SERVER_VERSION}\n`);
    log(`code-server ${CODE_SERVER_VERSION} installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return result;
  });
}

// ---------------------------------------------------------------------------------------------
// Starting it

export interface StartOptions {
  /** Folder to open by default (also put into URLs built by `urlFor`). */
  workspace?: string;
  /** Extra environment for code-server and everything it spawns (the extension host included). */
  env?: Record<string, string | undefined>;
  /**
   * true (default): workspace trust is switched off, so the workspace counts as trusted.
   * false: trust is on and the (fresh) workspace opens untrusted, in Restricted Mode, without a prompt.
   */
  trust?: boolean;
  /** Extra user settings (merged over the harness defaults). */
  settings?: Record<string, unknown>;
  /** Port to bind on 127.0.0.1; a free one when absent. */
  port?: number;
  /** Where to log progress; default console. */
  log?: Log;
  /** Keep the scratch folder (user data, logs) after dispose; also with env KDUDA_KEEP_SCRATCH=1. */
  keepScratch?: boolean;
  /** .vsix files installed (`--install-extension`, with `env`) into the fresh extensions folder before the server starts. */
  installExtensions?: string[];
}

export interface WorkbenchUrlOptions {
  /** Folder to open; default: the server's workspace. */
  folder?: string;
  /** Absolute path of an extension to load in development mode. */
  extensionDevelopmentPath?: string;
  /** Absolute path of a test runner module (exports `run()`) to run in the extension host. */
  extensionTestsPath?: string;
}

export interface CodeServer {
  /** Base URL, e.g. http://127.0.0.1:38123/ (opens the default workspace). */
  url: string;
  port: number;
  host: string;
  /** code-server's pid, which is also its process group id. */
  pid: number;
  /** Whether code-server's main process is still running. */
  alive(): boolean;
  /** The remote authority code-server serves files under: `vscode-remote://<authority>/abs/path`. */
  authority: string;
  scratchDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own stdout/stderr. */
  logFile: string;
  /** Workbench URL for a folder, an extension under development and/or extension tests. */
  urlFor(options?: WorkbenchUrlOptions): string;
  /** The last lines of code-server's log and of the extension host logs it wrote. */
  logTail(lines?: number): string;
  dispose(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the kernel's choice). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The harness's default user settings: nothing that pops up, phones home or updates itself. */
export function harnessUserSettings(trust: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'git.autoRepositoryDetection': false,
    'github.gitAuthentication': false,
    'chat.commandCenter.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'security.workspace.trust.enabled': !trust,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never',
    'security.workspace.trust.emptyWindow': false,
    ...extra,
  };
}

/** A remote URI for an absolute path on the code-server machine. */
export function remoteUri(authority: string, absolutePath: string): string {
  if (!path.isAbsolute(absolutePath)) throw new Error(`remoteUri: not an absolute path: ${absolutePath}`);
  return `vscode-remote://${authority}${absolutePath.split(path.sep).map(encodeURIComponent).join('/')}`;
}

/**
 * The workbench URL code-server understands: `/?folder=<abs path>&payload=<url-encoded JSON>`, where
 * the payload is `[["extensionDevelopmentPath","vscode-remote://<authority>/abs/path"],
 * ["extensionTestsPath","vscode-remote://<authority>/abs/path/index.js"]]`.
 */
export function workbenchUrl(baseUrl: string, authority: string, options: WorkbenchUrlOptions): string {
  const params: string[] = [];
  if (options.folder) params.push(`folder=${encodeURIComponent(path.resolve(options.folder))}`);
  const payload: Array<[string, string]> = [];
  if (options.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(authority, path.resolve(options.extensionDevelopmentPath))]);
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(authority, path.resolve(options.extensionTestsPath))]);
  if (payload.length) params.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${baseUrl}${params.length ? `?${params.join('&')}` : ''}`;
}

function get(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

function readTail(file: string, lines: number): string {
  try {
    return tail(readFileSync(file, 'utf8'), lines);
  } catch {
    return '';
  }
}

/** Extension host and server logs that VS Code writes under the user data dir. */
function vscodeLogFiles(userDataDir: string): string[] {
  const logs = path.join(userDataDir, 'logs');
  if (!existsSync(logs)) return [];
  return readdirSync(logs, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /(exthost|remoteagent|remoteexthost|server)\.log$/i.test(entry.name))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

/** Environment variables of an enclosing VS Code that would confuse a nested one. */
function cleanEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (/^(VSCODE_|ELECTRON_)/.test(key) || key === 'CODE_SERVER_PARENT_PID') continue;
    env[key] = value;
  }
  return env;
}

/**
 * Starts code-server detached (own process group) with fresh user data, extensions and XDG
 * folders, and resolves once `/healthz` answers. `dispose()` (or the harness exiting) kills the
 * whole process tree, extension hosts included.
 */
export async function startCodeServer(options: StartOptions = {}): Promise<CodeServer> {
  const log = options.log ?? defaultLog;
  const install = await ensureCodeServer({ log });
  const trust = options.trust ?? true;
  const host = '127.0.0.1';
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'kduda-code-server-'));
  const userDataDir = path.join(scratchDir, 'user-data');
  const extensionsDir = path.join(scratchDir, 'extensions');
  const xdg = path.join(scratchDir, 'xdg');
  for (const dir of [path.join(userDataDir, 'User'), extensionsDir, path.join(xdg, 'config'), path.join(xdg, 'data'), path.join(xdg, 'cache')]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(harnessUserSettings(trust, options.settings), null, 2)}\n`);
  const logFile = path.join(scratchDir, 'code-server.log');
  const keepScratch = options.keepScratch || process.env.KDUDA_KEEP_SCRATCH === '1';
  const baseEnv: NodeJS.ProcessEnv = {
    ...cleanEnv(process.env),
    XDG_CONFIG_HOME: path.join(xdg, 'config'),
    XDG_DATA_HOME: path.join(xdg, 'data'),
    XDG_CACHE_HOME: path.join(xdg, 'cache'),
    ...options.env,
  };
  for (const vsix of options.installExtensions ?? []) log(installVsix(install.entry, vsix, { extensionsDir, userDataDir }, baseEnv));

  let attempt = 0;
  for (;;) {
    attempt++;
    const port = options.port ?? (await freePort(host));
    const marker = newMarker('code-server');
    const args = [
      install.entry,
      '--auth',
      'none',
      '--bind-addr',
      `${host}:${port}`,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      ...(trust ? ['--disable-workspace-trust'] : []),
      ...(options.workspace ? [path.resolve(options.workspace)] : []),
    ];
    const env: NodeJS.ProcessEnv = { ...baseEnv, [MARKER_VARIABLE]: marker };
    const logFd = openSync(logFile, 'a');
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd], env });
    closeSync(logFd);
    const pgid = child.pid;
    let exited: string | undefined;
    child.on('exit', (code, signal) => {
      exited = `exited with ${code ?? signal}`;
    });
    child.on('error', (error) => {
      exited = `failed to start: ${error.message}`;
    });
    child.unref();
    const unregister = onHarnessExit(() => killTreeNow(pgid, marker));

    const authority = `${host}:${port}`;
    const url = `http://${authority}/`;
    const logTail = (lines = 60) => {
      const parts = [`--- ${logFile} ---\n${readTail(logFile, lines)}`];
      for (const file of vscodeLogFiles(userDataDir)) parts.push(`--- ${file} ---\n${readTail(file, lines)}`);
      return parts.join('\n');
    };
    let disposed = false;
    const dispose = async () => {
      if (disposed) return;
      disposed = true;
      await killTree(pgid, marker);
      unregister();
      if (!keepScratch) rmSync(scratchDir, { recursive: true, force: true });
      else log(`kept scratch folder ${scratchDir}`);
    };

    const deadline = Date.now() + 60_000;
    let healthy = false;
    while (!exited && Date.now() < deadline) {
      try {
        if ((await get(`${url}healthz`, 2000)) === 200) {
          healthy = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (healthy) {
      log(`code-server ${install.version} ready at ${url} (pid ${pgid}, logs ${logFile})`);
      return {
        url,
        port,
        host,
        pid: pgid!,
        alive: () => !exited,
        authority,
        scratchDir,
        userDataDir,
        extensionsDir,
        logFile,
        urlFor: (urlOptions = {}) => workbenchUrl(url, authority, { folder: options.workspace, ...urlOptions }),
        logTail,
        dispose,
      };
    }
    const why = exited ?? 'did not answer /healthz within 60 s';
    const logText = readTail(logFile, 40);
    await killTree(pgid, marker, 1000);
    unregister();
    if (!options.port && attempt < 3 && /EADDRINUSE/.test(logText)) {
      log(`port ${port} was taken meanwhile; retrying on another`);
      continue;
    }
    throw new HarnessSetupError(`code-server ${why}.\nCommand: node ${args.join(' ')}\nScratch folder kept: ${scratchDir}\n--- ${logFile} ---\n${logText}`);
  }
}
