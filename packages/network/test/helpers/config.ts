import { readFileSync } from 'node:fs';
import { type MnogateConfig, parseConfig } from '@mnogate/core';

const root = new URL('../../../../', import.meta.url);

/** Loads and validates one of the repository's example configs (examples/<name>/mnogate.yaml). */
export function loadExample(name: 'aws' | 'demo' | 'lab'): MnogateConfig {
  const text = readFileSync(new URL(`examples/${name}/mnogate.yaml`, root), 'utf8');
  const result = parseConfig(text);
  if (!result.ok) throw new Error(`examples/${name}: ${JSON.stringify(result.issues)}`);
  return result.config;
}

/** A deep copy to modify in a test without touching the shared one. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
