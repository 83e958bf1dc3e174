/**
 * Property-based tests over the parsers that read what users write or what disks hold: whatever
 * the input, a value or a named problem, never an exception or a hang.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseClassNames, parseListLine } from '../../src/datasetScan/listFileFormat';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { readIdxImages, readIdxLabels } from '../../src/trainer/data/idxReader';
import { tempDir, writeAt } from './datasetScanFixtures';

const RUNS = { numRuns: 200 };

test('a list-file line parses to blank, malformed, or an entry whose label is a safe non-negative integer and whose path is trimmed', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (line) => {
      const parsed = parseListLine(line);
      if (parsed.kind !== 'entry') return;
      assert.ok(Number.isSafeInteger(parsed.label) && parsed.label >= 0, `label ${parsed.label} from ${JSON.stringify(line)}`);
      assert.ok(parsed.imagePath.length > 0 && parsed.imagePath === parsed.imagePath.trimStart());
    }),
    RUNS,
  );
});

test('a written entry parses back to the same path and label, spaces in the path and CRLF endings included', () => {
  const pathPart = fc.stringMatching(/^[A-Za-z0-9_./-]([A-Za-z0-9_. /-]{0,30}[A-Za-z0-9_./-])?$/);
  fc.assert(
    fc.property(pathPart, fc.integer({ min: 0, max: 999_999_999 }), fc.constantFrom('', '\r', ' ', '\t'), (imagePath, label, ending) => {
      assert.deepEqual(parseListLine(`${imagePath} ${label}${ending}`), { kind: 'entry', imagePath, label });
    }),
    RUNS,
  );
});

test('class-name files of any text give trimmed, non-empty names', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      for (const name of parseClassNames(text)) assert.ok(name.length > 0 && name === name.trim());
    }),
    RUNS,
  );
});

test('scanning a root of list files with arbitrary contents gives a summary with issues, never an exception', async (t) => {
  const line = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc
      .tuple(fc.constantFrom('a.png', 'b.png', 'missing.png', 'x y.jpg', '../escape.png', 'a.png.txt'), fc.oneof(fc.nat(12), fc.constant(99999), fc.integer()))
      .map(([file, label]) => `${file} ${label}`),
  );
  const listFile = fc.array(line, { maxLength: 12 }).map((lines) => lines.join(fc.sample(fc.constantFrom('\n', '\r\n'), 1)[0]));
  await fc.assert(
    fc.asyncProperty(listFile, listFile, fc.option(fc.string({ maxLength: 30 })), async (first, second, classes) => {
      const root = await tempDir(t);
      await writeAt(root, 'a.png');
      await writeAt(root, 'b.png');
      await writeAt(root, 'one.txt', first);
      await writeAt(root, 'two.txt', second);
      if (classes !== null) await writeAt(root, 'classes.txt', classes);
      const summary = await scanDataset(root);
      for (const domain of summary.domains) {
        assert.equal(
          domain.count,
          domain.classes.reduce((sum, entry) => sum + entry.count, 0),
        );
        for (const issue of domain.issues) assert.ok(issue.message.length > 0 && issue.code.length > 0);
      }
    }),
    { numRuns: 60 },
  );
});

/** IDX bytes: sometimes a well-formed header over too few or enough bytes, sometimes noise. */
function idxBytes(magic: number, headerWords: number): fc.Arbitrary<Buffer> {
  const header = fc.tuple(
    fc.constantFrom(magic, 0x00000803, 0x00000801, 0, 0xffffffff),
    fc.array(fc.oneof(fc.nat(40), fc.constant(0xffffffff)), { minLength: headerWords, maxLength: headerWords }),
  );
  const formed = fc.tuple(header, fc.uint8Array({ maxLength: 300 })).map(([[found, sizes], body]) => {
    const head = Buffer.alloc(4 + 4 * sizes.length);
    head.writeUInt32BE(found >>> 0, 0);
    sizes.forEach((size, index) => head.writeUInt32BE(size >>> 0, 4 + 4 * index));
    return Buffer.concat([head, Buffer.from(body)]);
  });
  return fc.oneof(
    formed,
    fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  );
}

test('IDX files of any bytes, plain or gzipped: the scanner reports a domain or a bad-idx issue naming the file, never throws', async (t) => {
  await fc.assert(
    fc.asyncProperty(idxBytes(0x00000803, 3), idxBytes(0x00000801, 1), fc.boolean(), async (images, labels, gzipped) => {
      const root = await tempDir(t);
      const suffix = gzipped ? '.gz' : '';
      await writeAt(root, `train-images-idx3-ubyte${suffix}`, gzipped ? gzipSync(images) : images);
      await writeAt(root, `train-labels-idx1-ubyte${suffix}`, gzipped ? gzipSync(labels) : labels);
      const summary = await scanDataset(root);
      for (const domain of summary.domains) {
        if (domain.count > 0) continue;
        assert.ok(
          domain.issues.some((issue) => issue.message.includes('train-')),
          JSON.stringify(domain.issues),
        );
      }
    }),
    { numRuns: 80 },
  );
});

test("the trainer's IDX readers return the data or throw an Error naming the file, for any bytes", async (t) => {
  await fc.assert(
    fc.asyncProperty(idxBytes(0x00000803, 3), idxBytes(0x00000801, 1), fc.boolean(), async (images, labels, gzipped) => {
      const root = await tempDir(t);
      const write = (name: string, bytes: Buffer) => writeAt(root, name, gzipped ? gzipSync(bytes) : bytes);
      const files = [await write('i', images), await write('l', labels)];
      const reads = [() => readIdxImages({ path: files[0], gzipped }), () => readIdxLabels({ path: files[1], gzipped })];
      for (const [index, read] of reads.entries()) {
        try {
          await read();
        } catch (error) {
          assert.ok(error instanceof Error && error.message.startsWith(files[index]), String(error));
        }
      }
    }),
    { numRuns: 80 },
  );
});

/** A valid experiment, then fields replaced by arbitrary JSON at paths an editor might touch. */
const VALID = {
  data: { root: 'data', source: 'mnist', targets: ['usps'] },
  method: { name: 'mt-mtda', beta: { start: 0, end: 1 } },
  student: { architecture: 'lenet5', adaptAt: 'flatten' },
  teacher: { architecture: 'resnet-small' },
  optimizer: { epochs: 2 },
};
const FIELD_PATHS = [
  'data',
  'data.source',
  'data.targets',
  'data.split',
  'method',
  'method.name',
  'method.beta',
  'method.beta.start',
  'method.discriminator',
  'method.discriminatorHidden',
  'student',
  'student.architecture',
  'student.adaptAt',
  'teacher',
  'optimizer.epochs',
  'seed',
  'name',
];

function withField(base: object, dotted: string, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = dotted.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return copy;
}

function assertValidatesOrNames(text: string): void {
  const result = validateExperimentText(text, 'x.kdexp.json');
  if (result.ok) return;
  assert.ok(result.problems.length > 0);
  for (const problem of result.problems) {
    assert.equal(typeof problem.path, 'string');
    assert.ok(problem.message.length > 0);
  }
}

test('an experiment file of any text validates or lists named problems', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), assertValidatesOrNames), RUNS);
  fc.assert(fc.property(fc.json(), assertValidatesOrNames), RUNS);
});

test('an experiment with any field replaced by any JSON value validates or lists named problems', () => {
  const awkward = fc.oneof(fc.jsonValue(), fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty'));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), awkward), { minLength: 1, maxLength: 3 }), (edits) => {
      const edited = edits.reduce<unknown>((document, [dotted, value]) => withField(document as object, dotted, value), VALID);
      assertValidatesOrNames(JSON.stringify(edited));
    }),
    { numRuns: 400 },
  );
});
