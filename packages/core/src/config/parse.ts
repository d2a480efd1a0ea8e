/**
 * Parses `mnogate.yaml` text into a validated configuration, keeping every node's line so that each
 * problem names the YAML path and line it came from. Pure: the caller reads the file.
 */
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type ConfigIssue, formatPath, type PathSegment } from './issues.js';
import { configSchema, type MnogateConfig } from './schema.js';
import { validateSemantics } from './semantic.js';

export type ParseConfigResult =
  | { readonly ok: true; readonly config: MnogateConfig; readonly issues: readonly [] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Locates YAML paths in the source text. */
export interface SourceMap {
  locate(path: readonly PathSegment[]): { line: number; column: number };
}

export function createSourceMap(doc: Document, lines: LineCounter): SourceMap {
  return {
    locate(path) {
      // the deepest node that exists on the path: a missing key points at its parent
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) {
          const pos = lines.linePos(node.range[0]);
          return { line: pos.line, column: pos.col };
        }
      }
      return { line: 0, column: 0 };
    },
  };
}

export function parseConfig(text: string): ParseConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          code: 'MNOGATE_ERR_CONFIG_YAML',
          path: '(root)',
          line: pos.line,
          column: pos.col,
          message: e.message.split('\n')[0] ?? e.message,
        } satisfies ConfigIssue;
      }),
    };
  }
  const map = createSourceMap(doc, lines);
  const raw: unknown = doc.toJS();
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    return { ok: false, issues: zodIssues(parsed.error, map) };
  }
  const issues = validateSemantics(parsed.data, map);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, config: parsed.data, issues: [] };
}

function zodIssues(error: z.ZodError, map: SourceMap): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    const where = map.locate(path);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key(s): ${issue.keys.join(', ')}`;
    return { code: 'MNOGATE_ERR_CONFIG_SCHEMA', path: formatPath(path), ...where, message };
  });
}
