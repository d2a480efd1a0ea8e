/** Routes an E.164 number to its operator: a portability override beats the longest matching prefix. */
import type { OperatorConfig } from '../config/schema.js';
import { MnogateError } from '../errors.js';
import type { PortabilityTable } from './portability.js';

export interface Route {
  readonly operatorId: string;
  /** How it was chosen. */
  readonly via: 'portability' | 'prefix' | 'explicit';
  /** The prefix that matched, for `via: 'prefix'`. */
  readonly prefix: string | null;
}

export interface Router {
  /** `msisdn` must already be E.164; `operatorId` forces the operator (it must exist). */
  route(msisdn: string, operatorId?: string): Route;
}

export function createRouter(
  operators: readonly Pick<OperatorConfig, 'id' | 'prefixes'>[],
  portability?: PortabilityTable,
): Router {
  const ids = new Set(operators.map((o) => o.id));
  // prefix -> operators claiming it; sorted longest first
  const byPrefix = new Map<string, string[]>();
  for (const op of operators) {
    for (const p of op.prefixes) {
      const list = byPrefix.get(p) ?? [];
      if (!list.includes(op.id)) list.push(op.id);
      byPrefix.set(p, list);
    }
  }
  const prefixes = [...byPrefix.keys()].sort((a, b) => b.length - a.length);

  return {
    route(msisdn, operatorId) {
      if (operatorId !== undefined) {
        if (!ids.has(operatorId)) {
          throw new MnogateError(
            'MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR',
            `no operator has the id ${operatorId}`,
            {
              operatorId,
            },
          );
        }
        return { operatorId, via: 'explicit', prefix: null };
      }
      const ported = portability?.entries.get(msisdn);
      if (ported && ported.length > 0) {
        if (ported.length > 1) {
          throw new MnogateError(
            'MNOGATE_ERR_ROUTE_AMBIGUOUS',
            `the portability table lists ${ported.join(', ')}`,
            {
              candidates: [...ported],
            },
          );
        }
        return { operatorId: ported[0]!, via: 'portability', prefix: null };
      }
      for (const prefix of prefixes) {
        if (!msisdn.startsWith(prefix)) continue;
        const candidates = byPrefix.get(prefix)!;
        if (candidates.length > 1) {
          throw new MnogateError(
            'MNOGATE_ERR_ROUTE_AMBIGUOUS',
            `prefix ${prefix} is claimed by ${candidates.join(', ')}`,
            {
              candidates: [...candidates],
            },
          );
        }
        return { operatorId: candidates[0]!, via: 'prefix', prefix };
      }
      throw new MnogateError('MNOGATE_ERR_ROUTE_NO_OPERATOR');
    },
  };
}
