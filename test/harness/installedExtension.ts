/**
 * What a test of the extension as a user installs it needs: a PATH without some commands (a VS Code
 * that came without Node.js and npm), and a probe extension that runs code in the extension host
 * without loading the checkout (`extensionDevelopmentPath` pointed at the checkout would replace the
 * installed copy).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A PATH like `basePath` in which `commands` cannot be found: every folder holding one of them is
 * replaced by a folder of links to everything else in it (so sh, tar and the rest stay reachable).
 */
export function pathWithout(commands: readonly string[], basePath: string, linkFolder: string): string {
  const folders = basePath.split(path.delimiter).filter(Boolean);
  return folders
    .map((folder, index) => {
      if (!commands.some((command) => existsSync(path.join(folder, command)))) return folder;
      const mirror = path.join(linkFolder, String(index));
      mkdirSync(mirror, { recursive: true });
      for (const name of readdirSync(folder)) if (!commands.includes(name)) symlinkSync(path.join(folder, name), path.join(mirror, name));
      return mirror;
    })
    .join(path.delimiter);
}

/** Installs a .vsix as `code-server --install-extension` does for a user, into the given folders. */
export function installVsix(entry: string, vsix: string, dirs: { extensionsDir: string; userDataDir: string }, env: NodeJS.ProcessEnv): string {
  const result = spawnSync(
    process.execPath,
    [entry, '--extensions-dir', dirs.extensionsDir, '--user-data-dir', dirs.userDataDir, '--install-extension', vsix],
    { encoding: 'utf8', env, timeout: 120_000 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/was successfully installed/.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return output.trim();
}

/**
 * A bare extension (no code, no contributions) to name as `extensionDevelopmentPath`, so that
 * `extensionTestsPath` runs while every other extension, ours included, comes from the extensions folder.
 */
export function writeProbeExtension(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'kd-uda-installed-probe', publisher: 'kd-uda-tests', version: '0.0.1', engines: { vscode: '^1.100.0' } }, null, 2)}\n`,
  );
  return dir;
}
