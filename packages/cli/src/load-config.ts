/** Reads and validates a configuration file for the commands that run from one (serve, simulate, ...). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type ConfigIssue, type MnogateConfig, MnogateError, parseConfig } from '@mnogate/core';

export interface LoadedConfig {
  readonly config: MnogateConfig;
  /** The file's directory: relative paths in the config (secrets dir, store, portability) resolve against it. */
  readonly baseDir: string;
}

/** One line per issue: `file:line:column  path  CODE: message`. */
export function formatIssues(file: string, issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `  ${file}:${i.line}:${i.column}  ${i.path}  ${i.code}: ${i.message}`).join('\n');
}

/**
 * Reads `path` and parses it; throws a MnogateError whose message lists every problem (with its YAML
 * line) and whose details carry the issues.
 */
export function loadConfigFile(path: string): LoadedConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new MnogateError('MNOGATE_ERR_CONFIG_FILE', `cannot read ${path}: ${code}`, { file });
  }
  const result = parseConfig(text);
  if (!result.ok) {
    const first = result.issues[0]?.code ?? 'MNOGATE_ERR_CONFIG_SCHEMA';
    throw new MnogateError(
      first,
      `${path}: ${result.issues.length} problem(s) in the configuration\n${formatIssues(path, result.issues)}`,
      { file, issues: result.issues },
    );
  }
  return { config: result.config, baseDir: dirname(file) };
}
