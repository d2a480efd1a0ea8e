/**
 * The fault model. A top-up's fault comes from the MSISDN's last three digits when they are in
 * LAST_DIGITS_FAULTS (so a test scripts the outcome per number), else from the operator's faults set
 * through the control API, else `none`. Connection-level faults (down, deny-all) and status-query
 * faults are per operator only.
 */
import { isLatencyDistribution, type LatencyDistribution } from './latency.js';

export const TOPUP_FAULTS = [
  'none',
  'reject',
  'reject-subscriber',
  'reject-credit',
  'credit-no-answer',
  'credit-reset',
  'no-credit-no-answer',
  'no-credit-reset',
  'busy',
  'http-500-credit',
  'http-500-no-credit',
  'pending',
  'ambiguous',
  'slow-status',
  'slow',
] as const;
export type TopupFault = (typeof TOPUP_FAULTS)[number];

export const STATUS_FAULTS = ['none', 'busy', 'http-500', 'no-answer'] as const;
export type StatusFault = (typeof STATUS_FAULTS)[number];

/** The last three digits of a subscriber number that script its top-up's fault. Documented in docs/simulator.md. */
export const LAST_DIGITS_FAULTS: Readonly<Record<string, TopupFault>> = {
  '901': 'reject',
  '902': 'reject-subscriber',
  '903': 'reject-credit',
  '911': 'credit-no-answer',
  '912': 'credit-reset',
  '913': 'no-credit-no-answer',
  '914': 'no-credit-reset',
  '921': 'busy',
  '922': 'http-500-credit',
  '923': 'http-500-no-credit',
  '931': 'pending',
  '932': 'ambiguous',
  '941': 'slow-status',
  '942': 'slow',
};

export function faultForMsisdn(msisdn: string): TopupFault | undefined {
  return LAST_DIGITS_FAULTS[msisdn.replace(/\D/g, '').slice(-3)];
}

/** An operator's faults, set at run time. */
export interface OperatorFaults {
  /** Applied to every top-up whose number has no last-digits fault. */
  readonly topup: TopupFault;
  /** Applied to every status query. */
  readonly status: StatusFault;
  /** Added before every status answer (on top of per-transaction slow-status). */
  readonly statusDelayMs: number;
  /** The operator is down: its port is closed, connections are refused. */
  readonly down: boolean;
  /** The whitelist refuses every source. */
  readonly denyAll: boolean;
  /** Overrides the simulator's latency distribution for this operator. */
  readonly latency?: LatencyDistribution | undefined;
}

export const DEFAULT_FAULTS: OperatorFaults = Object.freeze({
  topup: 'none',
  status: 'none',
  statusDelayMs: 0,
  down: false,
  denyAll: false,
});

/** Checks a faults patch from the control API; returns the problem as text when it is invalid. */
export function parseFaultsPatch(input: unknown): Partial<OperatorFaults> | string {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return 'the body must be a JSON object';
  const o = input as Record<string, unknown>;
  const out: { -readonly [K in keyof OperatorFaults]?: OperatorFaults[K] } = {};
  for (const [key, value] of Object.entries(o)) {
    switch (key) {
      case 'topup':
        if (!(TOPUP_FAULTS as readonly unknown[]).includes(value))
          return `topup must be one of ${TOPUP_FAULTS.join(', ')}`;
        out.topup = value as TopupFault;
        break;
      case 'status':
        if (!(STATUS_FAULTS as readonly unknown[]).includes(value))
          return `status must be one of ${STATUS_FAULTS.join(', ')}`;
        out.status = value as StatusFault;
        break;
      case 'statusDelayMs':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
          return 'statusDelayMs must be a non-negative integer';
        out.statusDelayMs = value;
        break;
      case 'down':
      case 'denyAll':
        if (typeof value !== 'boolean') return `${key} must be a boolean`;
        out[key] = value;
        break;
      case 'latency':
        if (value !== null && !isLatencyDistribution(value))
          return 'latency must be { minMs, maxMs, distribution?: fixed|uniform|exponential } or null';
        out.latency = value === null ? undefined : value;
        break;
      default:
        return `unknown fault '${key}'`;
    }
  }
  return out;
}
