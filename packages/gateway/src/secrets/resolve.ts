import { MnogateError, type OperatorConfig, SECRET_REF_PATTERN } from '@mnogate/core';
import type { SecretsProvider } from './provider.js';

export interface SecretRef {
  readonly name: string;
  /** A field of the secret's JSON object; absent means the whole value. */
  readonly field?: string | undefined;
}

/** Where a reference came from, for error messages (never the value). */
export interface SecretRefContext {
  readonly operatorId?: string;
  /** The config path, such as `api.credentials.password`. */
  readonly path?: string;
}

/** Parses `secret:<name>[#field]`; undefined when `ref` is not a secret reference. */
export function parseSecretRef(ref: string): SecretRef | undefined {
  const m = SECRET_REF_PATTERN.exec(ref);
  if (!m) return undefined;
  return { name: m[1]!, field: m[2] };
}

function where(ctx: SecretRefContext | undefined): string {
  const parts: string[] = [];
  if (ctx?.operatorId) parts.push(`operator '${ctx.operatorId}'`);
  if (ctx?.path) parts.push(ctx.path);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function details(ref: string, ctx: SecretRefContext | undefined): Record<string, unknown> {
  return {
    reference: ref,
    ...(ctx?.operatorId ? { operatorId: ctx.operatorId } : {}),
    ...(ctx?.path ? { path: ctx.path } : {}),
  };
}

/** Parses a secret's value as a JSON object, without ever echoing the value in an error. */
function parseObject(value: string, ref: string, ctx: SecretRefContext | undefined): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined; // JSON.parse's message quotes the text: never let it out
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MnogateError(
      'MNOGATE_ERR_SECRET_REFERENCE',
      `secret reference '${ref}'${where(ctx)} needs a JSON object but the secret is not one`,
      details(ref, ctx),
    );
  }
  return parsed as Record<string, unknown>;
}

function fieldValue(
  obj: Record<string, unknown>,
  field: string,
  ref: string,
  ctx: SecretRefContext | undefined,
) {
  const v = Object.hasOwn(obj, field) ? obj[field] : undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new MnogateError(
    'MNOGATE_ERR_SECRET_MISSING',
    `secret reference '${ref}'${where(ctx)}: the secret has no string field '${field}'`,
    details(ref, ctx),
  );
}

async function fetchSecret(
  provider: SecretsProvider,
  ref: string,
  name: string,
  ctx: SecretRefContext | undefined,
) {
  try {
    return await provider.get(name);
  } catch (err) {
    if (err instanceof MnogateError) {
      throw new MnogateError(err.code, `secret reference '${ref}'${where(ctx)}: ${err.message}`, {
        ...details(ref, ctx),
        ...err.details,
      });
    }
    throw err;
  }
}

/** Resolves `secret:<name>[#field]` to a string: the field of the secret's JSON object, or the whole value. */
export async function resolveSecretRef(
  provider: SecretsProvider,
  ref: string,
  ctx?: SecretRefContext,
): Promise<string> {
  const parsed = parseSecretRef(ref);
  if (!parsed) {
    throw new MnogateError(
      'MNOGATE_ERR_SECRET_REFERENCE',
      `'${ref.startsWith('secret:') ? ref : '(a literal value)'}'${where(ctx)} is not a secret reference of the form secret:<name>[#field]`,
      details(ref.startsWith('secret:') ? ref : '(literal)', ctx),
    );
  }
  const value = await fetchSecret(provider, ref, parsed.name, ctx);
  if (parsed.field === undefined) return value;
  return fieldValue(parseObject(value, ref, ctx), parsed.field, ref, ctx);
}

/**
 * Resolves an operator's `api.credentials` to a record of strings. A map resolves field by field; a
 * single reference resolves to its secret's JSON object (or to that object's #field, itself an object).
 */
export async function resolveOperatorCredentials(
  provider: SecretsProvider,
  operator: Pick<OperatorConfig, 'id' | 'api'>,
): Promise<Record<string, string>> {
  const creds = operator.api.credentials;
  if (typeof creds === 'string') {
    const ctx = { operatorId: operator.id, path: 'api.credentials' };
    const parsed = parseSecretRef(creds);
    if (!parsed) return resolveSecretRef(provider, creds, ctx).then(() => ({})); // throws the reference error
    const raw = await fetchSecret(provider, creds, parsed.name, ctx);
    let obj = parseObject(raw, creds, ctx);
    if (parsed.field !== undefined) {
      const inner = Object.hasOwn(obj, parsed.field) ? obj[parsed.field] : undefined;
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
        throw new MnogateError(
          'MNOGATE_ERR_SECRET_MISSING',
          `secret reference '${creds}'${where(ctx)}: the secret has no object field '${parsed.field}'`,
          details(creds, ctx),
        );
      }
      obj = inner as Record<string, unknown>;
    }
    const out: Record<string, string> = {};
    for (const key of Object.keys(obj)) out[key] = fieldValue(obj, key, creds, ctx);
    return out;
  }
  const out: Record<string, string> = {};
  for (const [key, ref] of Object.entries(creds)) {
    out[key] = await resolveSecretRef(provider, ref, {
      operatorId: operator.id,
      path: `api.credentials.${key}`,
    });
  }
  return out;
}
