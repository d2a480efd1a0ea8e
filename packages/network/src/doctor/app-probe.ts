/**
 * The contract of doctor's application layer: an authenticated status query, in the operator's
 * dialect, for a reference that does not exist. Doctor speaks no dialect itself: the caller injects
 * the probe (the CLI builds it from the gateway's connectors, `createApplicationProbe`), so the query
 * is the one the gateway sends.
 */
import type { OperatorConfig } from '@mnogate/core';

export interface AppProbeResult {
  /**
   * authenticated: the application answered the query with our credentials (not found, or any
   * answer about the reference); auth-failed: it refused our credentials; error: anything else
   * (no answer, an unreadable one, busy).
   */
  readonly outcome: 'authenticated' | 'auth-failed' | 'error';
  readonly ms: number;
  /** What the probe saw, for the report. */
  readonly saw: string;
}

export interface AppProbeContext {
  /** The endpoint to query: the operator's first, the one the TCP layer connected to. */
  readonly endpoint: string;
  /** The operator's credentials, as the credentials layer resolved them. */
  readonly credentials: Readonly<Record<string, string>>;
  /** The egress source address to send from, when there is one. */
  readonly localAddress?: string | undefined;
  /** Total time allowed for the query. */
  readonly timeoutMs: number;
}

export type ApplicationProbe = (
  operator: OperatorConfig,
  context: AppProbeContext,
) => Promise<AppProbeResult>;
