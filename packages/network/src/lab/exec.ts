/** Running `ip`, `nft`, `swanctl` and processes inside network namespaces. */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${command.join(' ')}: ${stderr.trim() || `exit ${exitCode}`}`);
  }
}

/** Runs a command; rejects with CommandError (carrying stderr) when it exits non-zero. */
export function run(
  cmd: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args as string[],
      { timeout: options.timeoutMs ?? 20_000, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
          reject(new CommandError([cmd, ...args], typeof code === 'number' ? code : null, String(stderr)));
        } else resolve({ stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command inside a network namespace (`ip netns exec`). */
export function nsRun(
  netns: string,
  cmd: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return run('ip', ['netns', 'exec', netns, cmd, ...args], options);
}

/**
 * Starts a long-running process inside a namespace, detached in its own process group (so that it
 * outlives `lab up` and `lab down` can stop it and its children), output to a log file.
 */
export function spawnInNetns(
  netns: string,
  argv: readonly string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): number {
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', netns, ...argv], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...(options.env ?? process.env), MNOGATE_NETNS: netns },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${argv.join(' ')} in ${netns}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Whether the process runs (a zombie waiting for a parent that does not reap it counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Stops a process group started by spawnInNetns: SIGTERM, then SIGKILL after graceMs. */
export async function stopProcessGroup(pid: number, graceMs = 5_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  if (!isAlive(pid)) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) signal('SIGKILL');
  for (let i = 0; i < 40 && isAlive(pid); i++) await sleep(50);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `check` returns true, polling; false after timeoutMs. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** The first of `names` found on PATH (or in the sbin directories), else undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    if (!dir) continue;
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export const CHARON_PATH = '/usr/sbin/charon-systemd';

/** Debian packages the lab needs. */
export const LAB_APT_PACKAGES =
  'strongswan-swanctl charon-systemd libcharon-extra-plugins nftables iproute2 tcpdump';

/** Why the lab cannot run on this machine, or undefined when it can. */
export function labPrerequisites(): string | undefined {
  if (process.platform !== 'linux') return 'the lab needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, nftables, charon)';
  const missing = [
    existsSync(CHARON_PATH) ? undefined : 'charon-systemd',
    which('swanctl') ? undefined : 'swanctl',
    which('ip') ? undefined : 'ip',
    which('nft') ? undefined : 'nft',
  ].filter(Boolean);
  if (missing.length) return `missing ${missing.join(', ')}: apt-get install -y ${LAB_APT_PACKAGES}`;
  return undefined;
}
