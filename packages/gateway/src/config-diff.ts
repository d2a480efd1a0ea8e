/** What a configuration reload changes, path by path (values are config values: references, never secrets). */
export interface ConfigChange {
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
}

function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    if (entries.length === 0) out.set(path, JSON.stringify(value));
    for (const [k, v] of entries) {
      // operators are keyed by id so that reordering them is not a change
      const key =
        Array.isArray(value) &&
        v &&
        typeof v === 'object' &&
        'id' in v &&
        typeof (v as { id: unknown }).id === 'string'
          ? `[${(v as { id: string }).id}]`
          : Array.isArray(value)
            ? `[${k}]`
            : path
              ? `.${k}`
              : k;
      flatten(v, `${path}${key}`, out);
    }
    return;
  }
  out.set(path, JSON.stringify(value));
}

export function diffConfigs(before: unknown, after: unknown, limit = 200): ConfigChange[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(before, '', a);
  flatten(after, '', b);
  const changes: ConfigChange[] = [];
  for (const [path, value] of b) {
    if (!a.has(path)) changes.push({ path, kind: 'added' });
    else if (a.get(path) !== value) changes.push({ path, kind: 'changed' });
  }
  for (const path of a.keys()) if (!b.has(path)) changes.push({ path, kind: 'removed' });
  return changes.sort((x, y) => x.path.localeCompare(y.path)).slice(0, limit);
}
