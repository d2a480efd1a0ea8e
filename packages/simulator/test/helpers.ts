/** Test helpers for the simulator: configs on loopback, a raw HTTP client, the fault matrix. */
import { request } from 'node:http';
import { configSchema, type MnogateConfig } from '@mnogate/core';
import { LAST_DIGITS_FAULTS, type TopupFault } from '../src/index.js';

export interface TestOperator {
  readonly id: string;
  readonly dialect: 'ers' | 'pretups' | 'huawei-cbs' | 'rest-json';
  /** 127.0.1.x: each test file uses its own. */
  readonly host: string;
  readonly path: string;
  readonly prefixes: readonly string[];
  /** Default cidr 127.0.0.0/29, which holds 127.0.0.1, the kernel's source for loopback traffic. */
  readonly egress?:
    | { mode: 'cidr'; subnet: string }
    | { mode: 'static-ip'; sourceIp: string; subnet: string };
  readonly options?: Record<string, string>;
}

export function testConfig(operators: readonly TestOperator[]): MnogateConfig {
  return configSchema.parse({
    version: 1,
    network: { vpcCidr: '127.0.0.0/16' },
    simulator: { control: { host: '127.0.1.254', port: 0 } },
    operators: operators.map((o) => ({
      id: o.id,
      name: o.id,
      country: 'AF',
      prefixes: o.prefixes,
      currency: 'AFN',
      products: [{ id: 'airtime', kind: 'airtime', range: { min: '10', max: '5000' } }],
      api: {
        dialect: o.dialect,
        endpoints: [`http://${o.host}:0${o.path}`],
        credentials: 'secret:unused',
        options: o.options ?? {},
      },
      egress: o.egress ?? { mode: 'cidr', subnet: '127.0.0.0/29' },
    })),
  });
}

export type HttpResult =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: Record<string, unknown>;
      readonly body: string;
    }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly code: string };

/** One HTTP exchange over node:http, optionally from a chosen source address; never keeps the connection. */
export function httpCall(options: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  localAddress?: string;
  timeoutMs?: number;
}): Promise<HttpResult> {
  return new Promise((resolve) => {
    const req = request(options.url, {
      method: options.method ?? 'GET',
      headers: { connection: 'close', ...options.headers },
      localAddress: options.localAddress,
      agent: false,
    });
    const timer = setTimeout(() => {
      resolve({ kind: 'timeout' });
      req.destroy();
    }, options.timeoutMs ?? 2_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          kind: 'response',
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ kind: 'error', code: err.code ?? err.message });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: 'error', code: err.code ?? err.message });
    });
    req.end(options.body);
  });
}

/** A deterministic PRNG (mulberry32), so wire variants are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What a client sees: a dialect answer (with its code), or no answer of one of three kinds. */
export type Seen =
  | { readonly kind: 'answer'; readonly code: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'http-500' };

/** The ledger effect and the delivery every last-digits fault must have, whatever the dialect. */
export const FAULT_EFFECTS: Readonly<
  Record<TopupFault, { readonly logged: boolean; readonly credited: boolean; readonly seen: Seen['kind'] }>
> = {
  none: { logged: true, credited: true, seen: 'answer' },
  reject: { logged: true, credited: false, seen: 'answer' },
  'reject-subscriber': { logged: true, credited: false, seen: 'answer' },
  'reject-credit': { logged: true, credited: false, seen: 'answer' },
  'credit-no-answer': { logged: true, credited: true, seen: 'timeout' },
  'credit-reset': { logged: true, credited: true, seen: 'reset' },
  'no-credit-no-answer': { logged: false, credited: false, seen: 'timeout' },
  'no-credit-reset': { logged: false, credited: false, seen: 'reset' },
  busy: { logged: false, credited: false, seen: 'answer' },
  'http-500-credit': { logged: true, credited: true, seen: 'http-500' },
  'http-500-no-credit': { logged: false, credited: false, seen: 'http-500' },
  pending: { logged: true, credited: true, seen: 'answer' },
  ambiguous: { logged: true, credited: true, seen: 'answer' },
  'slow-status': { logged: true, credited: true, seen: 'answer' },
  slow: { logged: true, credited: true, seen: 'answer' },
};

export const DIGIT_FAULTS = Object.entries(LAST_DIGITS_FAULTS) as ReadonlyArray<
  readonly [string, TopupFault]
>;

/** Options that keep fault tests quick: what "slow" and "never" mean here. */
export const FAST = {
  hangMs: 120_000,
  slowMs: 300,
  slowStatusMs: 300,
  pendingMs: 300,
  /** A client waits this long before calling it a timeout: above slowMs, far below hangMs. */
  clientTimeoutMs: 1_000,
} as const;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
