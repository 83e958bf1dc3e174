/**
 * A real Slurm cluster of one node on 127.0.0.1 for the tests: munge, slurmctld and slurmd started
 * as root with every file (key, sockets, state, spool, pids, logs, slurm.conf) in one temporary
 * folder, without systemd. The Debian packages are installed with apt-get when missing (as the
 * browser tests' tools are, see systemTools.ts); without root it stops with the one line to run.
 * Clients find the cluster through `env` (SLURM_CONF), so nothing on the machine is reconfigured.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { poll } from './poll';
import { SystemToolsError } from './systemTools';

/** The temporary folders of this harness's clusters start so: a later start clears what an interrupted one left. */
const FOLDER_PREFIX = 'kd-uda-slurm-cluster-';
/** In a cluster's folder: the pid of the process that started it, which alone stops a live cluster. */
const OWNER_FILE = 'owner.pid';

const PACKAGES = ['slurmctld', 'slurmd', 'slurm-client', 'munge'];
const PROGRAMS: Record<string, string> = {
  slurmctld: 'slurmctld',
  slurmd: 'slurmd',
  sbatch: 'slurm-client',
  scontrol: 'slurm-client',
  sinfo: 'slurm-client',
  munged: 'munge',
  mungekey: 'munge',
};

export interface SlurmClusterOptions {
  /** Seconds the controller keeps an ended job (squeue and scontrol see it that long). Slurm's default is 300. */
  minJobAge?: number;
  /** Seconds between the SIGTERM of a cancelled job and its SIGKILL (Slurm's KillWait). */
  killWait?: number;
  /** The one partition's name. */
  partition?: string;
  /** The partition's longest time limit, in Slurm's format. */
  maxTime?: string;
  log?: (line: string) => void;
}

export interface SlurmCluster {
  /** The environment a Slurm client needs to reach this cluster: the process's own plus SLURM_CONF. */
  env: NodeJS.ProcessEnv;
  partition: string;
  /** The node's name (the machine's short host name), as squeue's %N prints it. */
  node: string;
  /** The cluster's folder: slurm.conf, state, logs. */
  dir: string;
  stop(): Promise<void>;
}

export class SlurmClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmClusterError';
  }
}

function onPath(command: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** slurmctld and slurmd live in /usr/sbin, which a non-login PATH may lack. */
function withSbin(): void {
  const parts = (process.env.PATH ?? '').split(path.delimiter);
  for (const dir of ['/usr/sbin', '/sbin']) if (!parts.includes(dir)) parts.push(dir);
  process.env.PATH = parts.join(path.delimiter);
}

/** Installs the missing Slurm and munge packages as root, or throws with the one command to run. */
export function provideSlurm(log: (line: string) => void): void {
  withSbin();
  const missing = () => [
    ...new Set(
      Object.keys(PROGRAMS)
        .filter((program) => !onPath(program))
        .map((program) => PROGRAMS[program]),
    ),
  ];
  let packages = missing();
  if (packages.length === 0) return;
  if (process.getuid?.() !== 0 || !onPath('apt-get'))
    throw new SystemToolsError(
      `the Slurm tests need ${packages.join(', ')}, which this machine lacks, and start daemons as root. Run as root, or install them:\n  sudo apt-get install -y --no-install-recommends ${PACKAGES.join(' ')}`,
    );
  log(`installing ${PACKAGES.join(' ')} with apt-get (the harness runs as root; first run only)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = run('apt-get', ['update', '-qq'], env);
  if (!update.ok) throw new SystemToolsError(`apt-get update failed: ${update.output.split('\n').slice(-3).join(' ')}`);
  const install = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], env);
  packages = missing();
  if (!install.ok || packages.length)
    throw new SystemToolsError(`apt-get install ${PACKAGES.join(' ')} failed: ${install.output.split('\n').slice(-3).join(' ')}`);
}

/** A TCP port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid in `file`, if it names a live process that was started with `dir` on its command line (ours, not a reused pid). */
function ownPid(file: string, dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !processAlive(pid)) return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(dir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

const PID_FILES = ['slurmctld.pid', 'slurmd.pid', 'munged.pid'];

/** SIGKILLs the daemons named by the pid files in `dir` (only those started on `dir`) and removes it. */
function killDaemonsOf(dir: string): void {
  for (const name of PID_FILES) {
    const pid = ownPid(path.join(dir, name), dir);
    if (pid) process.kill(pid, 'SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Clears what an earlier run of this harness left (a test process killed before its after()): the
 * clusters whose starting process is gone. Another test process's live cluster is left alone.
 */
function clearLeftovers(log: (line: string) => void): void {
  for (const entry of readdirSync(os.tmpdir())) {
    if (!entry.startsWith(FOLDER_PREFIX)) continue;
    const owner = Number(existsSync(path.join(os.tmpdir(), entry, OWNER_FILE)) ? readFileSync(path.join(os.tmpdir(), entry, OWNER_FILE), 'utf8') : NaN);
    if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) continue;
    log(`clearing a Slurm cluster an earlier run left in ${path.join(os.tmpdir(), entry)}`);
    killDaemonsOf(path.join(os.tmpdir(), entry));
  }
}

/** Memory the node reports (slurmd -C), so the node is not drained for claiming more than it has. */
function realMemory(): number {
  const found = /RealMemory=(\d+)/.exec(run('slurmd', ['-C']).output);
  return found ? Number(found[1]) : Math.floor(os.totalmem() / 2 ** 20);
}

function slurmConf(dir: string, node: string, partition: string, ports: { controller: number; node: number }, options: SlurmClusterOptions): string {
  return `# A one-node cluster for the KD-UDA tests (test/harness/slurmCluster.ts); everything lives in ${dir}
ClusterName=kduda
SlurmctldHost=localhost(127.0.0.1)
CommunicationParameters=NoInAddrAny
SlurmctldPort=${ports.controller}
SlurmdPort=${ports.node}
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=${dir}/munge/munge.socket
CredType=cred/munge
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
SlurmctldLogFile=${dir}/slurmctld.log
SlurmdLogFile=${dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
MailProg=/bin/true
ReturnToService=2
MinJobAge=${options.minJobAge ?? 300}
KillWait=${options.killWait ?? 30}
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${os.cpus().length} RealMemory=${realMemory()} State=UNKNOWN
PartitionName=${partition} Nodes=${node} Default=YES MaxTime=${options.maxTime ?? '1:00:00'} State=UP
`;
}

/** Starts `command` in its own session, detached from the test process (its log file is in slurm.conf). */
function startDaemon(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(command, args, { env, detached: true, stdio: 'ignore' });
  child.unref();
}

/**
 * Installs (if need be) and starts a one-node cluster, and waits until its node is idle. Its
 * stop() shuts it down and removes its folder; a cluster left by a killed test process is cleared
 * by the next start.
 */
export async function startSlurmCluster(options: SlurmClusterOptions = {}): Promise<SlurmCluster> {
  const log = options.log ?? (() => undefined);
  if (process.platform !== 'linux') throw new SlurmClusterError('the Slurm tests need Linux');
  provideSlurm(log);
  if (process.getuid?.() !== 0) throw new SlurmClusterError('the Slurm tests start slurmctld, slurmd and munged as root: run them as root');
  clearLeftovers(log);
  const dir = await mkdtemp(path.join(os.tmpdir(), FOLDER_PREFIX));
  // munged checks that its socket's folder can be reached by everyone, and its key is 0600.
  await chmod(dir, 0o755);
  await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
  for (const sub of ['munge', 'state', 'spool']) await mkdir(path.join(dir, sub), { mode: 0o755 });
  const partition = options.partition ?? 'debug';
  const node = os.hostname().split('.')[0];
  const conf = path.join(dir, 'slurm.conf');
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };
  const stopped = { done: false };
  const stop = async () => {
    if (stopped.done) return;
    stopped.done = true;
    run('scontrol', ['shutdown'], env);
    const deadline = Date.now() + 5000;
    const pids = () => ['slurmctld.pid', 'slurmd.pid'].map((name) => ownPid(path.join(dir, name), dir)).filter((pid) => pid !== undefined);
    while (pids().length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    run('munged', ['-s', `--socket=${dir}/munge/munge.socket`]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    killDaemonsOf(dir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const key = path.join(dir, 'munge', 'munge.key');
    const created = run('mungekey', ['--create', `--keyfile=${key}`]);
    if (!created.ok) throw new SlurmClusterError(`mungekey --create failed: ${created.output}`);
    await chmod(key, 0o600);
    const munged = run('munged', [
      `--socket=${dir}/munge/munge.socket`,
      `--key-file=${key}`,
      `--pid-file=${dir}/munged.pid`,
      `--log-file=${dir}/munged.log`,
      `--seed-file=${dir}/munge/munged.seed`,
    ]);
    if (!munged.ok) throw new SlurmClusterError(`munged did not start: ${munged.output}`);
    const ports = { controller: await freePort(), node: await freePort() };
    await writeFile(conf, slurmConf(dir, node, partition, ports, options));
    // -D: stay in the foreground of their own session, so that the pid files name them; -c: no old state.
    startDaemon('slurmctld', ['-D', '-c', '-f', conf], env);
    startDaemon('slurmd', ['-D', '-f', conf], env);
    await poll(
      `the Slurm node to be idle (logs in ${dir})`,
      () => {
        const state = run('sinfo', ['-h', '-o', '%t'], env);
        if (state.output === 'idle') return true;
        throw new Error(`sinfo says ${state.output || 'nothing'}`);
      },
      20_000,
      100,
    ).catch((error: Error) => {
      const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-8).join('\n') : '(none)');
      throw new SlurmClusterError(`${error.message}\nslurmctld.log:\n${tail(`${dir}/slurmctld.log`)}\nslurmd.log:\n${tail(`${dir}/slurmd.log`)}`);
    });
    log(`Slurm cluster up: SLURM_CONF=${conf}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, partition, node, dir, stop };
}
