/** The shapes of the gateway's answers the console reads. */
export type PublicStatus = 'succeeded' | 'failed' | 'pending' | 'unknown';

export interface Recharge {
  readonly id: string;
  readonly status: PublicStatus;
  readonly msisdn: string;
  readonly operatorId: string;
  readonly amount: string;
  readonly currency: string;
  readonly productId: string;
  readonly reference: string | null;
  readonly operatorReference: string;
  readonly operatorTransactionId: string | null;
  readonly failure: { code: string; message: string; operatorCode: string | null } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface HistoryEntry {
  readonly from: string | null;
  readonly to: string;
  readonly at: string;
  readonly cause: string;
  readonly detail: Record<string, unknown> | null;
}

/** One HTTP message of an operator exchange, as the gateway kept it (credentials [redacted]). */
export interface ExchangeMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly truncated: boolean;
}

export interface OperatorExchange {
  readonly operation: 'recharge' | 'status';
  readonly startedAt: string;
  readonly durationMs: number | null;
  readonly request: ExchangeMessage & { readonly method: string; readonly url: string };
  readonly response: (ExchangeMessage & { readonly statusCode: number }) | null;
  readonly sent: boolean;
  readonly error: string | null;
}

export interface UnresolvedItem {
  readonly recharge: Recharge;
  readonly needsAdmin: boolean;
  readonly reconcileAttempts: number;
  readonly ageSeconds: number;
  readonly nextAttemptAt: string | null;
}

export interface Operator {
  readonly id: string;
  readonly name: string;
  readonly country: string;
  readonly currency: string;
  readonly prefixes: readonly string[];
  readonly dialect: string;
}

export interface Product {
  readonly id: string;
  readonly kind: 'airtime' | 'data';
  readonly name: string | null;
  readonly currency: string;
  readonly denominations: readonly string[];
  readonly range: { min: string; max: string } | null;
}

/** GET /v1/admin/operators/health */
export interface OperatorHealth {
  readonly id: string;
  readonly name: string;
  readonly dialect: string;
  readonly status: 'healthy' | 'degraded' | 'down';
  readonly circuit: 'closed' | 'open' | 'half-open';
  readonly inFlight: number;
  readonly latencyMs: { readonly p50: number | null; readonly p95: number | null };
  readonly successRate5m: number | null;
  readonly calls5m: number;
  readonly endpoints: readonly {
    readonly url: string;
    readonly up: boolean;
    readonly lastProbeAt: string | null;
    readonly latencyMs: number | null;
  }[];
  readonly tunnels: readonly {
    readonly name: string;
    readonly up: boolean;
    readonly state?: string;
    readonly error?: string;
  }[];
}

export interface HealthReport {
  readonly operators: readonly OperatorHealth[];
  readonly at: string;
}

/** GET /v1/admin/audit items. */
export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string | null;
  readonly detail?: Record<string, unknown> | null;
  readonly hash?: string;
}

export interface AuditVerifyResult {
  readonly ok: boolean;
  readonly checked: number;
  /** `reason` as first specified; the gateway answers `problem` (edited, deleted, reordered) and `message`. */
  readonly firstBad?: {
    readonly seq: number;
    readonly reason?: string;
    readonly problem?: string;
    readonly message?: string;
  };
}
