import { SECRET_REF_PATTERN } from '@mnogate/core';

/** A parsed `secret:<name>[#field]` reference. */
export interface SecretRef {
  readonly name: string;
  readonly field: string | undefined;
}

/** Parses a secret reference; undefined for anything else (the semantic validator reports literals). */
export function parseSecretRef(value: string): SecretRef | undefined {
  const m = SECRET_REF_PATTERN.exec(value);
  if (!m) return undefined;
  return { name: m[1]!, field: m[2] };
}
