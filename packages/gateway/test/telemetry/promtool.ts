/** promtool (Debian package `prometheus`): present, or a skip locally and a failure in CI. */
import { spawnSync } from 'node:child_process';

const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
export const PROMTOOL_MISSING: string | null =
  found.error || found.status !== 0
    ? 'promtool is not installed: apt-get install -y prometheus (Debian) to run this check'
    : null;
export const IN_CI = process.env.CI === 'true';

/** Runs promtool with `input` on stdin (or a file argument); returns exit code and output. */
export function promtool(args: string[], input?: string): { code: number | null; output: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
