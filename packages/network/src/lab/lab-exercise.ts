/**
 * Exercising a running lab from the host: recharges through the gateway's HTTP API, a tunnel cut
 * under load, and the ledgers compared (simulator control API). Everything goes over the unix
 * sockets the lab's forwarders expose, so the host never routes into the lab's addresses.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { sleep } from './exec.js';
import { cutTunnel } from './lab.js';
import type { LabPlan } from './lab-plan.js';

export interface SocketResponse {
  readonly status: number;
  readonly json: unknown;
}

/** JSON over HTTP over a unix socket. */
export function socketRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<SocketResponse> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const req = request(
      {
        socketPath,
        method,
        path,
        timeout: timeoutMs,
        headers: {
          ...(text
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let json: unknown = raw;
          try {
            json = JSON.parse(raw);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(text);
  });
}

export interface RechargeResult {
  readonly operatorId: string;
  readonly msisdn: string;
  readonly httpStatus: number;
  readonly id?: string;
  readonly status?: string;
  readonly operatorReference?: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly error?: string;
}

/** A number of the operator's first prefix whose last three digits (100) trigger no simulator fault. */
export function labMsisdn(prefix: string, n: number): string {
  const digits = 12 - prefix.length; // +93 7X XXX XXXX: 11 digits after '+'
  const body = `${String(n % 10 ** Math.max(0, digits - 4)).padStart(Math.max(0, digits - 3), '0')}100`;
  return `${prefix}${body.slice(-digits)}`;
}

export async function postRecharge(
  plan: LabPlan,
  apiKey: string,
  body: { msisdn: string; amount: string; currency: string; operatorId: string },
  idempotencyKey: string,
): Promise<RechargeResult> {
  const startedAt = Date.now();
  try {
    const res = await socketRequest(plan.gatewaySocket, 'POST', '/v1/recharges', body, {
      authorization: `Bearer ${apiKey}`,
      'idempotency-key': idempotencyKey,
    });
    const j = res.json as { id?: string; status?: string; operatorReference?: string };
    return {
      operatorId: body.operatorId,
      msisdn: body.msisdn,
      httpStatus: res.status,
      ...(j.id ? { id: j.id } : {}),
      ...(j.status ? { status: j.status } : {}),
      ...(j.operatorReference ? { operatorReference: j.operatorReference } : {}),
      startedAt,
      endedAt: Date.now(),
    };
  } catch (err) {
    return {
      operatorId: body.operatorId,
      msisdn: body.msisdn,
      httpStatus: 0,
      startedAt,
      endedAt: Date.now(),
      error: (err as Error).message,
    };
  }
}

export interface LabOperatorInfo {
  readonly id: string;
  readonly prefix: string;
  readonly currency: string;
}

let sequence = 0;

/** `count` recharges for the operator, `concurrency` at a time. */
export async function rechargeBatch(
  plan: LabPlan,
  apiKey: string,
  op: LabOperatorInfo,
  count: number,
  concurrency = 4,
): Promise<RechargeResult[]> {
  const results: RechargeResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const key = `lab-${process.pid}-${Date.now()}-${++sequence}`;
      results.push(
        await postRecharge(
          plan,
          apiKey,
          { msisdn: labMsisdn(op.prefix, sequence), amount: '50', currency: op.currency, operatorId: op.id },
          `${key}-${n}`,
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export interface MonitorFailover {
  readonly operatorId: string;
  readonly from: number | null;
  readonly to: number;
  readonly reason: string;
  readonly lastOkAt: number | null;
  readonly detectedAt: number;
  readonly initiatedAt: number;
  readonly restoredAt: number | null;
  readonly outageMs: number | null;
}

/** The monitor's failover events so far (monitor-events.jsonl). */
export function readFailovers(plan: LabPlan): MonitorFailover[] {
  try {
    return readFileSync(`${plan.runDir}/monitor-events.jsonl`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as MonitorFailover);
  } catch {
    return [];
  }
}

export interface FailoverRun {
  readonly results: readonly RechargeResult[];
  readonly failover: MonitorFailover | undefined;
  /** The tunnel cut (0 or 1). */
  readonly cut: 0 | 1;
  readonly cutAt: number;
  /** The longest time between two successive successful recharge answers across the cut. */
  readonly longestGapMs: number;
  /** From the cut to the first recharge answered succeeded that was sent after the cut. */
  readonly recoveredAfterMs: number | null;
}

/**
 * Recharges for one operator, `concurrency` at a time, while its active tunnel is cut after
 * `cutAfterMs`; keeps going until the monitor has restored traffic on the standby and `tailMs` more.
 */
export async function failoverUnderLoad(
  plan: LabPlan,
  apiKey: string,
  op: LabOperatorInfo,
  options: { cutAfterMs?: number; tailMs?: number; maxMs?: number; concurrency?: number } = {},
): Promise<FailoverRun> {
  const cutAfterMs = options.cutAfterMs ?? 2_000;
  const tailMs = options.tailMs ?? 3_000;
  const maxMs = options.maxMs ?? 60_000;
  const before = readFailovers(plan).filter((f) => f.operatorId === op.id && f.restoredAt !== null).length;
  const snapshot = JSON.parse(readFileSync(`${plan.runDir}/monitor.json`, 'utf8')) as {
    operators: { operatorId: string; active: 0 | 1 | null }[];
  };
  const cut = snapshot.operators.find((o) => o.operatorId === op.id)?.active ?? 0;
  const results: RechargeResult[] = [];
  const started = Date.now();
  let cutAt = 0;
  let stopAt = started + maxMs;
  let failover: MonitorFailover | undefined;
  const worker = async () => {
    while (Date.now() < stopAt) {
      const [r] = await rechargeBatch(plan, apiKey, op, 1, 1);
      if (r) results.push(r);
    }
  };
  const controller = (async () => {
    await sleep(cutAfterMs);
    await cutTunnel(plan, op.id, cut, true);
    cutAt = Date.now();
    while (Date.now() < started + maxMs) {
      const done = readFailovers(plan).filter((f) => f.operatorId === op.id && f.restoredAt !== null);
      if (done.length > before) {
        failover = done.at(-1);
        stopAt = Math.min(stopAt, Date.now() + tailMs);
        return;
      }
      await sleep(200);
    }
  })();
  await Promise.all([controller, ...Array.from({ length: options.concurrency ?? 4 }, worker)]);
  await cutTunnel(plan, op.id, cut, false);
  const ok = results.filter((r) => r.status === 'succeeded').sort((a, b) => a.endedAt - b.endedAt);
  let longestGapMs = 0;
  for (let i = 1; i < ok.length; i++)
    longestGapMs = Math.max(
      longestGapMs,
      (ok[i] as RechargeResult).endedAt - (ok[i - 1] as RechargeResult).endedAt,
    );
  const firstAfter = ok.find((r) => r.startedAt > cutAt);
  return {
    results,
    failover,
    cut,
    cutAt,
    longestGapMs,
    recoveredAfterMs: firstAfter ? firstAfter.endedAt - cutAt : null,
  };
}

export interface LedgerCheck {
  readonly operatorId: string;
  /** Recharges the gateway holds for this operator, by public status. */
  readonly gateway: Record<string, number>;
  /** Transactions in the simulator's ledger that credited the subscriber. */
  readonly credited: number;
  /** Gateway `succeeded` recharges with no credited ledger transaction, and the reverse. */
  readonly missingInLedger: readonly string[];
  readonly missingInGateway: readonly string[];
  /** References the simulator saw more than once (a doubled recharge). */
  readonly duplicates: number;
  readonly ok: boolean;
}

interface GatewayRecharge {
  readonly id: string;
  readonly status: string;
  readonly operatorReference: string;
  readonly createdAt: string;
}

async function listRecharges(plan: LabPlan, apiKey: string, operatorId: string): Promise<GatewayRecharge[]> {
  const out: GatewayRecharge[] = [];
  let cursor: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ operatorId, limit: '100', ...(cursor ? { cursor } : {}) });
    const res = await socketRequest(plan.gatewaySocket, 'GET', `/v1/recharges?${q}`, undefined, {
      authorization: `Bearer ${apiKey}`,
    });
    if (res.status !== 200) {
      // never compare against a partial list: a refused page is an error, not the end
      throw new Error(`GET /v1/recharges answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`);
    }
    const j = res.json as { data?: GatewayRecharge[]; items?: GatewayRecharge[]; nextCursor?: string | null };
    out.push(...(j.data ?? j.items ?? []));
    if (!j.nextCursor) return out;
    cursor = j.nextCursor;
  }
}

/** Compares the gateway's recharges with each operator simulator's ledger, after waiting for pending ones to settle. */
export async function checkLedgers(
  plan: LabPlan,
  apiKey: string,
  options: { settleMs?: number; since?: number } = {},
): Promise<LedgerCheck[]> {
  // the store outlives a lab; its simulators' ledgers do not: compare this lab's recharges only
  const since = options.since ?? 0;
  const list = async (id: string) =>
    (await listRecharges(plan, apiKey, id)).filter((r) => Date.parse(r.createdAt) >= since);
  const deadline = Date.now() + (options.settleMs ?? 60_000);
  const checks: LedgerCheck[] = [];
  for (const op of plan.operators) {
    let recharges = await list(op.id);
    while (recharges.some((r) => r.status === 'pending' || r.status === 'unknown') && Date.now() < deadline) {
      await sleep(1_000);
      recharges = await list(op.id);
    }
    const ledger = (await socketRequest(op.controlSocket, 'GET', `/ledger/${op.id}`)).json as {
      transactions?: { reference: string; credited: boolean }[];
    };
    const counters = (await socketRequest(op.controlSocket, 'GET', `/counters/${op.id}`)).json as {
      duplicates?: number;
    };
    const txs = ledger.transactions ?? [];
    const credited = new Set(txs.filter((t) => t.credited).map((t) => t.reference));
    const refs = txs.map((t) => t.reference);
    const succeeded = recharges.filter((r) => r.status === 'succeeded');
    const gateway: Record<string, number> = {};
    for (const r of recharges) gateway[r.status] = (gateway[r.status] ?? 0) + 1;
    const missingInLedger = succeeded.filter((r) => !credited.has(r.operatorReference)).map((r) => r.id);
    const ours = new Set(succeeded.map((r) => r.operatorReference));
    const missingInGateway = [...credited].filter((ref) => !ours.has(ref));
    const duplicates = refs.length - new Set(refs).size + (counters.duplicates ?? 0);
    checks.push({
      operatorId: op.id,
      gateway,
      credited: credited.size,
      missingInLedger,
      missingInGateway,
      duplicates,
      ok: missingInLedger.length === 0 && missingInGateway.length === 0 && duplicates === 0,
    });
  }
  return checks;
}
