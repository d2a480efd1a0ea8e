/** Runs `mnogate serve` as a real child process, for crash and multi-replica tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MnogateConfig } from '@mnogate/core';
import { createStore, generateApiKey } from '@mnogate/gateway';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../harness.js';

const BIN = join(REPO_ROOT, 'packages/cli/bin/mnogate.js');

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every line it wrote. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function writeConfig(config: MnogateConfig): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnogate-proc-'));
  const file = join(dir, 'mnogate.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** Creates a key with every scope a test needs, in the config's store. */
export async function createKey(config: MnogateConfig, baseDir: string): Promise<string> {
  const store = createStore(config.gateway.store, { baseDir });
  await store.migrate();
  const { key, record } = generateApiKey({
    clientId: 'loadtest',
    name: 'loadtest',
    scopes: ['recharge:write', 'recharge:read', 'admin'],
  });
  await store.createApiKey(record);
  await store.close();
  return key;
}

export async function startGatewayProcess(configFile: string, timeoutMs = 30_000): Promise<GatewayProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--config', configFile, '--host', '127.0.0.1', '--port', '0'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gateway did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /"address":"(http:\/\/[^"]+)"[^\n]*mnogate gateway listening/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
  };
}
