/**
 * The trainer's child-process entry and CLI (`kd-uda`): a dispatcher onto the commands in
 * ./commands.
 */
import { dataDigitsCommand } from './cli/dataDigits';
import { demoCommand } from './cli/demo';
import { diffCommand } from './cli/diff';
import { evalCommand } from './cli/eval';
import { trainCommand } from './cli/train';

const version = process.env.KDUDA_VERSION ?? '0.0.0';

const USAGE = `Usage: kd-uda <command>

Commands:
  train <file.kdexp.json> [--runs-dir DIR] | --resume <runDir>    train an experiment into a run folder
  eval <checkpoint> <dataset> [--domain NAME]                     accuracy of a checkpoint on a domain
  diff <checkpointA> <checkpointB> [--out FILE.json]              compare two checkpoints on their run's data
  demo [--dir DIR]                                                build small Digits data, train MT-MTDA, print the table
  data digits --out <dir> [--size N] [--seed S] [--photos DIR]   build the Digits benchmark
  version                                                         print the version`;

const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };

async function main(args: readonly string[]): Promise<number> {
  const [command, subcommand, ...rest] = args;
  if (command === undefined || command === '--version' || command === 'version') {
    io.out(`kd-uda trainer ${version}`);
    return 0;
  }
  if (command === '--help' || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (command === 'train') return trainCommand(args.slice(1), io);
  if (command === 'demo') return demoCommand(args.slice(1), io);
  if (command === 'eval') return evalCommand(args.slice(1), io);
  if (command === 'diff') return diffCommand(args.slice(1), io);
  if (command === 'data' && subcommand === 'digits') return dataDigitsCommand(rest, io);
  io.err(`kd-uda: unknown command "${[command, subcommand].filter(Boolean).join(' ')}".\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    io.err(`kd-uda: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
