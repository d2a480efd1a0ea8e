/**
 * Lab test harness: a copy of examples/lab/mnogate.yaml in a temp dir (its own SQLite store, the
 * example's secrets, or a modified copy of them), and the `mnogate` CLI run as a child process.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MnogateConfig, parseConfig } from '@mnogate/core';
import { LAB_APT_PACKAGES, labPrerequisites } from '../../src/lab/exec.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const MNOGATE_BIN = join(root, 'packages/cli/bin/mnogate.js');
export const LAB_EXAMPLE = join(root, 'examples/lab/mnogate.yaml');

/** node:test options: run when the lab can, fail when CI=true and it cannot, else skip with what to install. */
export function requireLab(): { skip?: string } {
  const missing = labPrerequisites();
  if (!missing) return {};
  const hint = `${missing} (apt-get install -y ${LAB_APT_PACKAGES}, as root)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and the lab cannot run: ${hint}`);
  return { skip: hint };
}

export interface LabConfigCopy {
  readonly dir: string;
  readonly file: string;
  readonly config: MnogateConfig;
  /** Writes another copy next to it whose secret `name` is replaced (e.g. wrong credentials). */
  withSecret(name: string, value: string): string;
  remove(): void;
}

export function labConfigCopy(): LabConfigCopy {
  const dir = mkdtempSync(join(tmpdir(), 'mnolab-test-'));
  cpSync(join(root, 'examples/lab/secrets'), join(dir, 'secrets'), { recursive: true });
  const text = readFileSync(LAB_EXAMPLE, 'utf8').replace(/store: sqlite:\S+/, 'store: sqlite:./data/lab.db');
  const file = join(dir, 'mnogate.yaml');
  writeFileSync(file, text);
  const parsed = parseConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return {
    dir,
    file,
    config: parsed.config,
    withSecret(name, value) {
      const alt = join(dir, 'alt');
      cpSync(join(dir, 'secrets'), join(alt, 'secrets'), { recursive: true });
      writeFileSync(join(alt, 'secrets', name), value);
      writeFileSync(join(alt, 'mnogate.yaml'), text);
      return join(alt, 'mnogate.yaml');
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function mnogate(
  args: readonly string[],
  timeoutMs = 180_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MNOGATE_BIN, ...args],
      { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
