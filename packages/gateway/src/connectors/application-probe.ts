/**
 * The application layer of `mnogate doctor`: the operator's own connector, created as the gateway
 * creates it (built-in dialect or handler module), asks over an egress agent bound to the operator's
 * source address for the status of a reference that does not exist. A not-found answer (or any
 * answer about the reference) proves the application is up and accepts our credentials; an error
 * with reason `auth` proves it refuses them. The query is the one the reconciler sends, so doctor
 * checks the gateway's own dialect code rather than a copy of it.
 */
import { normalizeMsisdn, type OperatorConfig, type ProductConfig } from '@mnogate/core';
import type { ApplicationProbe, AppProbeResult } from '@mnogate/network';
import type { RechargeCall, StatusOutcome } from './connector.js';
import { createEgressAgent } from './egress-agent.js';
import { createConnector } from './registry.js';

/**
 * The reference doctor asks about: the shape of ours (`MG` + 20 alphanumerics, so it fits every
 * operator's reference field) but never one of them, since ours are Crockford base32, without O.
 */
export const PROBE_REFERENCE = 'MGDOCTORPROBE000000000';

export interface ApplicationProbeOptions {
  /** Where handler modules are resolved from: the config file's directory. @default process.cwd() */
  readonly baseDir?: string | undefined;
  /**
   * The subscriber the query names, for dialects that look a recharge up by subscriber (huawei-cbs).
   * @default probeMsisdn(operator)
   */
  readonly msisdn?: string | undefined;
  /** Injected clock (request dates, the huawei-cbs time window). */
  readonly now?: (() => Date) | undefined;
}

/** A valid number of the operator's first prefix, zero-filled (`+9377` -> `+93770000000`). */
export function probeMsisdn(operator: OperatorConfig): string {
  for (const prefix of operator.prefixes) {
    const digits = prefix.replace(/^\+/, '');
    for (let length = Math.max(digits.length, 8); length <= 15; length++) {
      try {
        return normalizeMsisdn(`+${digits.padEnd(length, '0')}`);
      } catch {
        // not a valid length for this numbering plan: try a longer one
      }
    }
  }
  return `+${(operator.prefixes[0] ?? '').replace(/^\+/, '').padEnd(11, '0')}`;
}

/** What a status answer about a reference that does not exist says about our access. */
export function probeOutcome(status: StatusOutcome): Pick<AppProbeResult, 'outcome' | 'saw'> {
  const code = 'operatorCode' in status && status.operatorCode ? ` (${status.operatorCode})` : '';
  switch (status.status) {
    case 'not-found':
      return { outcome: 'authenticated', saw: `status query for an unknown reference: not-found${code}` };
    case 'error':
      return { outcome: status.reason === 'auth' ? 'auth-failed' : 'error', saw: status.message };
    default:
      // odd for a reference nobody used, but the operator read it with our credentials
      return {
        outcome: 'authenticated',
        saw: `status query for an unknown reference: ${status.status}${code}`,
      };
  }
}

/** The doctor's application probe, built from the gateway's connector registry and egress agent. */
export function createApplicationProbe(options: ApplicationProbeOptions = {}): ApplicationProbe {
  return async (operator, context) => {
    const started = performance.now();
    const result = (r: Pick<AppProbeResult, 'outcome' | 'saw'>): AppProbeResult => ({
      ...r,
      ms: Math.round(performance.now() - started),
    });
    let connector: Awaited<ReturnType<typeof createConnector>>;
    try {
      connector = await createConnector(operator, {
        credentials: context.credentials,
        baseDir: options.baseDir,
        now: options.now,
      });
    } catch (err) {
      return result({ outcome: 'error', saw: `no connector: ${(err as Error).message}` });
    }
    let msisdn: string;
    try {
      msisdn = options.msisdn
        ? normalizeMsisdn(options.msisdn, { country: operator.country })
        : probeMsisdn(operator);
    } catch (err) {
      return result({ outcome: 'error', saw: `the probe's subscriber number: ${(err as Error).message}` });
    }
    const call: RechargeCall = {
      reference: PROBE_REFERENCE,
      msisdn,
      amountMinor: 0,
      currency: operator.currency,
      product: operator.products[0] ?? ({ id: 'doctor', kind: 'airtime' } satisfies ProductConfig),
      acceptedAt: (options.now?.() ?? new Date()).getTime(),
    };
    const dispatcher = createEgressAgent(operator, {
      ...(context.localAddress ? { localAddress: context.localAddress } : {}),
      connectionsPerOrigin: 1,
    });
    try {
      const status = await connector.status(call, {
        endpoint: context.endpoint,
        dispatcher,
        timeoutMs: context.timeoutMs,
      });
      return result(probeOutcome(status));
    } catch (err) {
      return result({ outcome: 'error', saw: `status query threw: ${(err as Error).message}` });
    } finally {
      await dispatcher.destroy();
    }
  };
}
