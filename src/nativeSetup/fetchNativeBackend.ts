import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { nativePackages, type NativeRung } from './nativePackages';

/**
 * Fetches @tensorflow/tfjs-node(-gpu) into `<folder>/node_modules` with npm: the package tree
 * comes from the npm registry, and the package's own install script then downloads libtensorflow
 * and its prebuilt binding from Google storage (storage.googleapis.com, or the mirror named by
 * TFJS_NODE_CDN_STORAGE). Where either cannot be reached the error says which and what to do.
 */
export interface FetchRequest {
  rung: NativeRung;
  /** The tfjs version the trainer bundles: tfjs-node must match it. */
  version: string;
  folder: string;
  onLine?: (line: string) => void;
}

/** The addresses tfjs-node's install script downloads from (scripts/install.js and its package.json `binary`). */
export function googleStorageUrls(rung: NativeRung, version: string, napi: string, platform = process.platform, arch = process.arch): string[] {
  const host = process.env.TFJS_NODE_CDN_STORAGE || 'https://storage.googleapis.com/';
  const system = `${rung === 'tensorflow-gpu' ? 'gpu' : 'cpu'}-${platform === 'win32' ? 'windows' : platform}-${arch === 'x64' ? 'x86_64' : arch}`;
  const addon = `${rung === 'tensorflow-gpu' ? 'GPU' : 'CPU'}-${platform === 'win32' ? 'windows' : platform}-${version}`;
  return [
    `${host}tensorflow/libtensorflow/libtensorflow-${system}-2.9.1.${platform === 'win32' ? 'zip' : 'tar.gz'}`,
    `${host}tf-builds/pre-built-binary/napi-v${napi}/${version}/${addon}.tar.gz`,
  ];
}

/** The registry npm uses (npm_config_registry), for the message when the registry is the part that failed. */
function registry(): string {
  return process.env.npm_config_registry || 'https://registry.npmjs.org/';
}

export class NativeFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeFetchError';
  }
}

/** Installs the package and returns its folder; rejects with NativeFetchError saying what was tried and what to do. */
export async function fetchNativeBackend(request: FetchRequest): Promise<string> {
  const packageName = nativePackages[request.rung];
  const spec = `${packageName}@${request.version}`;
  await fs.mkdir(request.folder, { recursive: true });
  // Its own package.json keeps npm from walking up into whatever folder the cache sits in; npm 11
  // runs a dependency's install script (the libtensorflow download) only when allowed here.
  await fs.writeFile(
    path.join(request.folder, 'package.json'),
    `${JSON.stringify({ name: 'kd-uda-lab-native', private: true, allowScripts: { [packageName]: true } }, null, 2)}\n`,
  );
  const output: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      request.onLine?.(line);
    }
  };
  const args = ['install', '--no-audit', '--no-fund', '--no-save', '--foreground-scripts', spec];
  const code = await new Promise<number>((resolve, reject) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, args, { cwd: request.folder, shell: process.platform === 'win32', stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) =>
      reject(
        new NativeFetchError(
          `cannot run npm (${error.message}): fetching ${spec} needs npm, which comes with Node.js (https://nodejs.org). ` +
            'Install Node.js and run this command again; until then the wasm backend trains.',
        ),
      ),
    );
    child.on('close', (exitCode) => resolve(exitCode ?? 1));
  });
  const text = output.join('\n');
  if (code !== 0) {
    if (/E404|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(text) && !/googleapis|libtensorflow/i.test(text)) {
      throw new NativeFetchError(
        `npm could not fetch ${spec} from the registry ${registry()} (exit code ${code}). Check the network or npm's registry setting. npm said: ${tail(text)}`,
      );
    }
    const urls = googleStorageUrls(request.rung, request.version, process.versions.napi ?? '8');
    const cause = /Error: (.*(?:ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|certificate|status code).*)/.exec(text)?.[1];
    throw new NativeFetchError(
      `npm fetched ${spec} from ${registry()}, but its install script could not download TensorFlow (tried ${urls.join(' and ')}${cause ? `: ${cause.trim()}` : ''}). ` +
        'Where Google storage is blocked, set TFJS_NODE_CDN_STORAGE to a mirror of it before starting VS Code, or build tfjs-node against a TensorFlow ' +
        `you have into ${request.folder} (README, "Native TensorFlow"); until then the wasm backend trains. npm said: ${tail(text)}`,
    );
  }
  const packageDir = path.join(request.folder, 'node_modules', ...packageName.split('/'));
  const lib = path.join(packageDir, 'lib');
  const bindings = existsSync(lib) ? readdirSync(lib).filter((name) => name.startsWith('napi-v')) : [];
  if (bindings.length === 0) {
    throw new NativeFetchError(
      `npm installed ${spec} into ${request.folder}, but it has no binding in ${lib} (its install script did not run or did not finish). npm said: ${tail(text)}`,
    );
  }
  return packageDir;
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-6).join(' | ') || '(nothing)';
}
