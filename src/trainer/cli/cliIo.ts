/** Where a CLI subcommand writes: the terminal's stdout and stderr, or a test's collector. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}
