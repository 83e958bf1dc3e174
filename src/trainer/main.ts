/**
 * The trainer's child-process entry and CLI (`kd-uda`). Training itself arrives with the trainer
 * issue; for now it answers `--version` and refuses everything else clearly.
 */
const version = process.env.KDUDA_VERSION ?? '0.0.0';
const [command] = process.argv.slice(2);

if (command === undefined || command === '--version' || command === 'version') {
  console.log(`kd-uda trainer ${version}`);
} else {
  console.error(`kd-uda: unknown command "${command}". This build of the trainer only answers --version.`);
  process.exitCode = 2;
}
