import type { ErrorCode } from '../errors.js';

/** One problem found in a configuration: its code, the YAML path and line it came from, and why. */
export interface ConfigIssue {
  readonly code: ErrorCode;
  /** Dotted path into the YAML document, such as `operators[2].vpn.tunnels[0].insideCidr`. */
  readonly path: string;
  /** 1-based line of the offending node (or of its closest existing parent); 0 when unknown. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || '(root)';
}
