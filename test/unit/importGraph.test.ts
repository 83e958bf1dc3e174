import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../harness/paths';

// The arrows between the folders of src/, read from the import specifiers: the run folder is the
// contract the trainer writes and everyone else reads, so nothing reads the trainer's code for it,
// and the panels' protocol meets the run folder only through the views computed from it.

const SRC = path.join(REPO_ROOT, 'src');

/** The folder of src/ a file belongs to (`host`, `runFolder`, …), or its name for a file at the top. */
function area(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0];
}

/** Every import of every TypeScript file under src/: the importing file and the specifier. */
async function imports(): Promise<{ file: string; specifier: string }[]> {
  const files = (await readdir(SRC, { recursive: true })).filter((name) => name.endsWith('.ts')).map((name) => path.join(SRC, name));
  const found = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8');
      return [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)].map((match) => ({
        file,
        specifier: match[1] ?? match[2],
      }));
    }),
  );
  return found.flat();
}

/** `from -> to` for every import from one folder of src/ into another. */
async function arrows(): Promise<{ from: string; to: string; where: string }[]> {
  return (await imports())
    .filter(({ specifier }) => specifier.startsWith('.'))
    .map(({ file, specifier }) => ({ file, target: path.resolve(path.dirname(file), specifier), specifier }))
    .filter(({ target }) => target.startsWith(SRC + path.sep))
    .map(({ file, target, specifier }) => ({ from: area(file), to: area(target), where: `${path.relative(REPO_ROOT, file)} -> ${specifier}` }))
    .filter(({ from, to }) => from !== to);
}

describe('the import graph of src/', () => {
  it('has no arrow from the run folder, the run comparison or the host into the trainer', async () => {
    const back = (await arrows()).filter(({ from, to }) => ['runFolder', 'runComparison', 'host'].includes(from) && to === 'trainer');
    assert.deepEqual(
      back.map(({ where }) => where),
      [],
    );
  });

  it('has no arrow between the run folder and the protocol, either way', async () => {
    const crossing = (await arrows()).filter(({ from, to }) => (from === 'runFolder' && to === 'protocol') || (from === 'protocol' && to === 'runFolder'));
    assert.deepEqual(
      crossing.map(({ where }) => where),
      [],
    );
  });

  it('imports vscode only in the host and the extension entry', async () => {
    const outside = (await imports()).filter(({ file, specifier }) => specifier === 'vscode' && !['host', 'extension.ts'].includes(area(file)));
    assert.deepEqual(
      outside.map(({ file }) => path.relative(REPO_ROOT, file)),
      [],
    );
  });
});
