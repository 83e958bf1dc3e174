/**
 * The trainer's child-process entry and CLI (`kd-uda`): a dispatcher onto the commands in
 * ./commands.
 */
import { dataDigitsCommand } from './cli/dataDigits';
import { demoCommand } from './cli/demo';
import { diffCommand } from './cli/diff';
import { evalCommand } from './cli/eval';
import { prepareCommand } from './cli/prepare';
import { sweepCommand } from './cli/sweep';
import { trainCommand } from './cli/train';
import { UsageError } from './cli/usageError';
import { BackendError } from './backends/backendError';
import { DiffInputError } from './checkpointDiff/diffCheckpoints';
import { DataError } from './data/dataError';
import { RunFileError } from '../runFolder/jsonShape';

const version = process.env.KDUDA_VERSION ?? '0.0.0';

const USAGE = `Usage: kd-uda <command>

Commands:
  train <file.kdexp.json> [--runs-dir DIR] | --resume <runDir>    train an experiment into a run folder
  prepare <file.kdexp.json> [--runs-dir DIR] [--json]             make (or reuse) a run folder for every point of a sweep
  sweep <file.kdexp.json> [--runs-dir DIR] [--parallel K]         prepare a sweep, then run every point not done
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
  if (command === 'prepare') return prepareCommand(args.slice(1), io);
  if (command === 'sweep') return sweepCommand(args.slice(1), io);
  if (command === 'demo') return demoCommand(args.slice(1), io);
  if (command === 'eval') return evalCommand(args.slice(1), io);
  if (command === 'diff') return diffCommand(args.slice(1), io);
  if (command === 'data' && subcommand === 'digits') return dataDigitsCommand(rest, io);
  io.err(`kd-uda: unknown command "${[command, subcommand].filter(Boolean).join(' ')}".\n\n${USAGE}`);
  return 2;
}

/**
 * Failures that are the user's to fix (an experiment, data, a backend, arguments, a run folder's
 * file): their messages name what to change, and a stack would only bury that.
 */
function isExpected(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof DataError ||
    error instanceof BackendError ||
    error instanceof RunFileError ||
    error instanceof DiffInputError
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isExpected(error)) {
      io.err(`kd-uda: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    // A bug: one line here (a run that got as far as its folder has the stack in trainer.log);
    // KDUDA_DEBUG=1 prints the stack for whoever reports it.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.err(
      `kd-uda: unexpected error: ${message.split('\n')[0]}${process.env.KDUDA_DEBUG ? `\n${(error as Error).stack ?? ''}` : ' (KDUDA_DEBUG=1 prints its stack)'}`,
    );
    process.exitCode = 1;
  },
);
