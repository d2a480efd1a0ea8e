/** Number-portability overrides: a CSV of `msisdn,operatorId` lines (a header line is optional). */
import type { ConfigIssue } from '../config/issues.js';
import { normalizeMsisdn } from './msisdn.js';

export interface PortabilityTable {
  /** E.164 number -> the operators it is listed for (more than one is an ambiguity). */
  readonly entries: ReadonlyMap<string, readonly string[]>;
}

export function parsePortabilityCsv(
  text: string,
  options: { source?: string; knownOperators?: ReadonlySet<string> } = {},
): { table: PortabilityTable; issues: ConfigIssue[] } {
  const entries = new Map<string, string[]>();
  const issues: ConfigIssue[] = [];
  const source = options.source ?? 'portability';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [msisdnText, operatorId, ...extra] = line.split(',').map((s) => s.trim());
    if (index === 0 && /^msisdn$/i.test(msisdnText ?? '')) return; // header
    const issue = (message: string) =>
      issues.push({
        code: 'MNOGATE_ERR_CONFIG_PORTABILITY',
        path: source,
        line: index + 1,
        column: 1,
        message,
      });
    if (!msisdnText || !operatorId || extra.length > 0) {
      issue('expected two columns: msisdn,operatorId');
      return;
    }
    let msisdn: string;
    try {
      msisdn = normalizeMsisdn(msisdnText);
    } catch {
      issue(`not an international number: ${msisdnText}`);
      return;
    }
    if (options.knownOperators && !options.knownOperators.has(operatorId)) {
      issue(`unknown operator: ${operatorId}`);
      return;
    }
    const list = entries.get(msisdn) ?? [];
    if (!list.includes(operatorId)) list.push(operatorId);
    entries.set(msisdn, list);
  });
  return { table: { entries }, issues };
}
