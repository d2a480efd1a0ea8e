/**
 * Test harness: a private charon-systemd in a network namespace created for the test, with its own
 * strongswan.conf and VICI socket. Everything runs inside that namespace (only `lo`), so nothing a
 * rendered configuration names can be reached from it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { renderStrongswanConf } from '../../src/render/strongswan-conf.js';

const run = promisify(execFile);

export const APT_PACKAGES = 'strongswan-swanctl charon-systemd libcharon-extra-plugins nftables iproute2';
export const CHARON = '/usr/sbin/charon-systemd';

/** Why the strongSwan / nftables tests cannot run here, or undefined when they can. */
export function missingCapability(needs: 'charon' | 'nft'): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const tools = needs === 'charon' ? [CHARON, which('swanctl'), which('ip')] : [which('nft'), which('ip')];
  const missing = tools.filter((t) => !t || !existsSync(t));
  if (missing.length > 0) return `missing ${needs === 'charon' ? 'strongSwan' : 'nftables'} tools`;
  return undefined;
}

/**
 * node:test options for a suite that needs the capability: it runs when available, fails when CI=true
 * and it is missing, and otherwise skips with what to install.
 */
export function requireCapability(needs: 'charon' | 'nft'): { skip?: string } {
  const missing = missingCapability(needs);
  if (!missing) return {};
  const hint = `${missing}: apt-get install -y ${APT_PACKAGES} (as root)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${hint}`);
  return { skip: hint };
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin')
    .split(':')
    .concat(['/usr/sbin', '/sbin'])) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

let counter = 0;

/** A fresh network namespace `mnotest-<pid>-<n>` with lo up. */
export async function createNetns(): Promise<{ name: string; remove(): Promise<void> }> {
  const name = `mnotest-${process.pid}-${++counter}`;
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return {
    name,
    async remove() {
      await run('ip', ['netns', 'delete', name]).catch(() => undefined);
    },
  };
}

export interface CharonInstance {
  readonly netns: string;
  readonly dir: string;
  readonly socketPath: string;
  readonly uri: string;
  readonly strongswanConf: string;
  /** Runs swanctl against this instance (inside its namespace); resolves with stdout and stderr. */
  swanctl(args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
  /** The charon log so far (for assertion messages). */
  log(): string;
  stop(): Promise<void>;
}

export async function startCharon(): Promise<CharonInstance> {
  const ns = await createNetns();
  const dir = `/run/${ns.name}`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socketPath = join(dir, 'charon.vici');
  const logFile = join(dir, 'charon.log');
  const strongswanConf = join(dir, 'strongswan.conf');
  writeFileSync(strongswanConf, renderStrongswanConf({ viciSocketPath: socketPath, logFile, logLevel: 1 }));
  const env = { ...process.env, STRONGSWAN_CONF: strongswanConf };
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns.name, CHARON], { env, stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const uri = `unix://${socketPath}`;
  const instance: CharonInstance = {
    netns: ns.name,
    dir,
    socketPath,
    uri,
    strongswanConf,
    swanctl: (args) =>
      run('ip', ['netns', 'exec', ns.name, 'swanctl', ...args, '--uri', uri], { env, timeout: 20_000 }),
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        for (let i = 0; i < 50 && !exited; i++) await sleep(100);
        if (!exited) child.kill('SIGKILL');
      }
      await ns.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 100; i++) {
    if (exited) break;
    if (existsSync(socketPath)) return instance;
    await sleep(100);
  }
  await instance.stop();
  throw new Error(`charon-systemd did not open ${socketPath} within 10 s${exited ? ' (it exited)' : ''}`);
}
