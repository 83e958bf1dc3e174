import { spawn } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'kd-uda-lab.kd-uda-lab';

/** Trains an experiment with the extension's own trainer bundle, as a terminal user would; rejects with its output unless it exits 0. */
export function trainFromTerminal(file: string, runsDir: string): Promise<void> {
  const trainer = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'trainer.js');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [trainer, 'train', file, '--runs-dir', runsDir], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kd-uda train exited with ${code}: ${output}`))));
  });
}
