/**
 * Operator health, polled from GET /v1/admin/operators/health. The last hour of samples is kept in
 * memory (per tab) for the charts; while the endpoint is missing on the gateway, the console says
 * health is unavailable and shows the operator list alone.
 */
import { useEffect, useState } from 'react';
import { ApiError, api, describeError } from './api';
import type { HealthReport, Operator, OperatorHealth } from './types';

export const POLL_MS = 3_000;
export const HISTORY_MS = 60 * 60 * 1_000;

export interface Sample {
  readonly at: number;
  readonly successRate: number | null;
  readonly p95: number | null;
  readonly inFlight: number;
  readonly up: boolean;
}

export interface HealthState {
  readonly operators: readonly Operator[];
  readonly health: ReadonlyMap<string, OperatorHealth>;
  /** Why health is missing: the endpoint is not there, or the last poll failed. */
  readonly unavailable: string | null;
  readonly error: string | null;
  readonly at: number | null;
}

const samples = new Map<string, Sample[]>();
let state: HealthState = { operators: [], health: new Map(), unavailable: null, error: null, at: null };
const listeners = new Set<(s: HealthState) => void>();
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight = false;

export function samplesOf(operatorId: string): readonly Sample[] {
  return samples.get(operatorId) ?? [];
}

function record(report: HealthReport): void {
  const at = Date.parse(report.at) || Date.now();
  for (const op of report.operators) {
    const list = samples.get(op.id) ?? [];
    list.push({
      at,
      successRate: op.successRate5m,
      p95: op.latencyMs.p95,
      inFlight: op.inFlight,
      up: op.status !== 'down',
    });
    while (list.length > 0 && list[0]!.at < at - HISTORY_MS) list.shift();
    samples.set(op.id, list);
  }
}

async function poll(): Promise<void> {
  if (inFlight) return;
  inFlight = true;
  try {
    let next: HealthState = state;
    try {
      const report = await api<HealthReport>('/v1/admin/operators/health');
      record(report);
      next = {
        ...next,
        health: new Map(report.operators.map((o) => [o.id, o])),
        unavailable: null,
        error: null,
        at: Date.now(),
      };
    } catch (err) {
      const missing = err instanceof ApiError && err.status === 404;
      next = {
        ...next,
        health: missing ? new Map() : next.health,
        unavailable: missing
          ? 'health unavailable: this gateway has no /v1/admin/operators/health yet'
          : null,
        error: missing ? null : describeError(err),
      };
    }
    try {
      const list = await api<{ items: Operator[] }>('/v1/operators');
      next = { ...next, operators: list.items };
    } catch (err) {
      next = { ...next, error: next.error ?? describeError(err) };
    }
    state = next;
    for (const l of listeners) l(state);
  } finally {
    inFlight = false;
  }
}

function schedule(): void {
  timer = setTimeout(async () => {
    await poll();
    if (listeners.size > 0) schedule();
  }, POLL_MS);
}

/** Live health: polls while at least one component listens. */
export function useHealth(): HealthState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    listeners.add(setCurrent);
    if (listeners.size === 1) {
      void poll();
      schedule();
    }
    return () => {
      listeners.delete(setCurrent);
      if (listeners.size === 0 && timer) clearTimeout(timer);
    };
  }, []);
  return current;
}

/** Forgets everything (sign-out). */
export function resetHealth(): void {
  samples.clear();
  state = { operators: [], health: new Map(), unavailable: null, error: null, at: null };
}
