/**
 * A small writer for the strongswan.conf / swanctl.conf syntax: nested `name { ... }` sections of
 * `key = value` lines, with comments. Renderers build a tree and format it once.
 */
export type ConfValue = string | number | ConfSection;

export interface ConfSection {
  /** Comment lines printed before the entries, without the leading `#`. */
  readonly comments?: readonly string[];
  readonly entries: readonly ConfEntry[];
}

export interface ConfEntry {
  readonly key: string;
  readonly value: ConfValue;
  /** Comment lines printed above this entry. */
  readonly comments?: readonly string[];
}

export function section(
  entries: readonly (ConfEntry | false | undefined)[],
  comments?: readonly string[],
): ConfSection {
  return { entries: entries.filter((e): e is ConfEntry => Boolean(e)), ...(comments ? { comments } : {}) };
}

export function entry(key: string, value: ConfValue, comments?: readonly string[]): ConfEntry {
  return { key, value, ...(comments ? { comments } : {}) };
}

const KEY = /^[A-Za-z0-9_.-]+$/;

export function formatConf(root: ConfSection, indent = ''): string {
  const lines: string[] = [];
  for (const c of root.comments ?? []) lines.push(`${indent}#${c ? ` ${c}` : ''}`);
  for (const e of root.entries) {
    if (!KEY.test(e.key)) throw new TypeError(`invalid strongSwan configuration key: ${e.key}`);
    for (const c of e.comments ?? []) lines.push(`${indent}# ${c}`);
    if (typeof e.value === 'object') {
      lines.push(`${indent}${e.key} {`);
      const inner = formatConf(e.value, `${indent}  `);
      if (inner) lines.push(inner);
      lines.push(`${indent}}`);
    } else {
      const v = String(e.value);
      if (/[\n\r]/.test(v))
        throw new TypeError(`a strongSwan configuration value cannot span lines: ${e.key}`);
      lines.push(`${indent}${e.key} = ${v}`);
    }
  }
  return lines.join('\n');
}

/**
 * A secret as a swanctl value: quoted when plain, else base64 (`0s...`) so no character can break
 * the syntax.
 */
export function secretValue(secret: string): string {
  if (/^[A-Za-z0-9._\-+=/@:%,!^*~]*$/.test(secret)) return `"${secret}"`;
  // btoa over UTF-8 bytes rather than Buffer: this renderer also runs in the console, in the browser
  return `0s${btoa(String.fromCharCode(...new TextEncoder().encode(secret)))}`;
}
