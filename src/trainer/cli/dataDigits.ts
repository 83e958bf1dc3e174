import { DEFAULT_DIGITS_SIZE, generateDigits } from '../digitsBenchmark/generateDigits';
import type { CliIo } from './cliIo';

export const DATA_DIGITS_USAGE = `Usage: kd-uda data digits --out <dir> [--size N] [--seed S] [--photos DIR] [--cache DIR]

Writes the Digits benchmark (mnist, mnist-photo, font-digits, uci-digits) from real data:
  <dir>/train/<domain>/<class>/*.png and <dir>/test/<domain>/<class>/*.png (two ImageFolder roots),
  <dir>/manifests/<domain>.json, <dir>/montages/<domain>.png, <dir>/manifest.json.

  --out DIR     where to write (created if missing; each domain's folders are replaced)
  --size N      training images per domain, default ${DEFAULT_DIGITS_SIZE.toLocaleString('en-US')}; test images: N/5
  --seed S      seed for every random choice, default 0: the same seed and size give the same images
  --photos DIR  photographs for mnist-photo (default: photos from Debian packages, fetched)
  --cache DIR   downloads and font verdicts, default ~/.cache/kd-uda-lab

Exit codes: 0 all domains built; 3 some domains could not be built here (the log says why);
2 bad arguments; 1 failure.`;

export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

type Parsed = { help: true } | { help: false; out: string; size?: number; seed?: number; photos?: string; cache?: string };

const VALUE_FLAGS = new Set(['--out', '--size', '--seed', '--photos', '--cache']);

function parse(args: readonly string[]): Parsed {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!VALUE_FLAGS.has(flag)) throw new Error(`unknown argument "${arg}"`);
    const value = inline ?? args[++i];
    if (value === undefined || value === '') throw new Error(`${flag} needs a value`);
    values.set(flag, value);
  }
  const out = values.get('--out');
  if (!out) throw new Error('--out <dir> is required');
  const integer = (flag: string): number | undefined => {
    const text = values.get(flag);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a whole number, got "${text}"`);
    return Number(text);
  };
  return { help: false, out, size: integer('--size'), seed: integer('--seed'), photos: values.get('--photos'), cache: values.get('--cache') };
}

/** `kd-uda data digits ...`: plain progress lines on stdout, problems on stderr. */
export async function dataDigitsCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(args);
  } catch (error) {
    io.err(`kd-uda data digits: ${(error as Error).message}\n\n${DATA_DIGITS_USAGE}`);
    return EXIT.usage;
  }
  if (parsed.help) {
    io.out(DATA_DIGITS_USAGE);
    return EXIT.ok;
  }
  const started = Date.now();
  try {
    const manifest = await generateDigits({
      out: parsed.out,
      size: parsed.size,
      seed: parsed.seed,
      photos: parsed.photos,
      cacheFolder: parsed.cache,
      log: (line) => io.out(`[digits] ${line}`),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.out(`[digits] done in ${seconds} s: ${manifest.domains.map((domain) => domain.name).join(', ') || 'no domain'} in ${parsed.out}`);
    for (const { name, reason } of manifest.skipped) io.err(`kd-uda data digits: domain ${name} was not built: ${reason}`);
    return manifest.skipped.length > 0 ? EXIT.partial : EXIT.ok;
  } catch (error) {
    io.err(`kd-uda data digits: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failed;
  }
}
