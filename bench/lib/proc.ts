/**
 * Child processes of the bench: each in its own process group (so the whole tree goes down with it),
 * tracked here so that exit or Ctrl-C stops every one of them; and what /proc says about a process
 * (CPU time, resident memory).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly proc: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  readonly exited: Promise<number | string>;
}

const children = new Set<Child>();
const tempDirs = new Set<string>();
/** Short-lived helpers (the load generator, CLI calls) spawned with pipes rather than through startChild. */
const helpers = new Set<ChildProcess>();

/** Tracks a helper process so that cleanup kills it too. */
export function trackHelper<T extends ChildProcess>(proc: T): T {
  helpers.add(proc);
  proc.once('exit', () => helpers.delete(proc));
  return proc;
}

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Raise the open-files limit of the child (as far as the hard limit allows). */
  readonly nofile?: number;
}

/** Starts `cmd args` in its own process group, stdout and stderr to `logFile`. */
export function startChild(
  name: string,
  cmd: string,
  args: readonly string[],
  logFile: string,
  options: SpawnOptions = {},
): Child {
  const fd = openSync(logFile, 'a');
  // `exec` keeps the pid: the one we watch in /proc is the program itself, not a shell
  const [command, argv] = options.nofile
    ? [
        '/bin/sh',
        [
          '-c',
          `ulimit -n ${options.nofile} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`,
          'sh',
          cmd,
          ...args,
        ],
      ]
    : [cmd, [...args]];
  const proc = spawn(command as string, argv as string[], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    proc.once('error', () => resolve('spawn-error'));
  });
  const child: Child = { name, pid: proc.pid, proc, logFile, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** SIGTERM to the child's process group, then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
  // anything the child left behind in its group
  signalGroup(child.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function registerTempDir(dir: string): string {
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Stops every child still running and removes every temp dir (exit, Ctrl-C, failure). */
export async function cleanupAll(): Promise<void> {
  for (const h of helpers) h.kill('SIGKILL');
  await Promise.all([...children].map((c) => stopChild(c, 3_000)));
  for (const dir of tempDirs) removeTempDir(dir);
}

/** Synchronous last resort for process 'exit': no waiting possible there. */
export function killAllNow(): void {
  for (const h of helpers) h.kill('SIGKILL');
  for (const c of children) signalGroup(c.pid, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** utime + stime of one process, in ms (all its threads). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name may hold spaces and parentheses: fields start after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU time the whole machine spent busy (every core: user, nice, system, irq, softirq, steal), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (
    (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) /
    CLOCK_TICKS_PER_SECOND
  );
}

/** VmRSS and VmHWM (peak) of one process, in MB. */
export function memoryMb(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** The process and all its descendants (nginx: master and workers). */
export function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(name), Number(fields[1]));
    } catch {
      // exited meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** Polls until `check` resolves true, or throws after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
