/** Runs the real `mnogate` binary in a child process and collects its output; the demo on free ports. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = new URL('../bin/mnogate.js', import.meta.url).pathname;
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A TCP port free on `host` right now (bound, then released). */
export async function freePort(host: string): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, host, r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** examples/demo/mnogate.yaml with free ports for the gateway, the control API and every simulator. */
export async function demoConfigOnFreePorts(): Promise<string> {
  let text = readFileSync(join(REPO_ROOT, 'examples/demo/mnogate.yaml'), 'utf8');
  text = text.replace('port: 8080', `port: ${await freePort('127.0.0.1')}`);
  text = text.replace('port: 9099', `port: ${await freePort('127.0.0.1')}`);
  for (const m of [...text.matchAll(/http:\/\/(127\.0\.1\.\d+):(\d+)/g)]) {
    const [, host = '', port = ''] = m;
    text = text.replace(`${host}:${port}`, `${host}:${await freePort(host)}`);
  }
  return text;
}
