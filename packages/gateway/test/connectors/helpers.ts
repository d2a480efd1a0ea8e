/**
 * Test helpers for connectors: a real HTTP server on 127.0.0.x port 0, scripted per attempt (as in
 * undici's tests), that records every request it sees; and operator configs for each dialect.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { OperatorConfig, ProductConfig } from '@mnogate/core';
import { Agent } from 'undici';
import type { CallContext, RechargeCall, StatusOutcome } from '../../src/connectors/connector.js';

export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly remoteAddress: string | undefined;
}

/** What the server does for one request; it has already read the whole body. */
export type Step = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

export interface ScriptedServer {
  readonly url: string;
  readonly port: number;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** A server that answers the n-th request with steps[n] (a 599 when the script has run out). */
export async function startScriptedServer(steps: Step[], host = '127.0.0.1'): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', `http://${host}`),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remoteAddress: req.socket.remoteAddress,
      };
      requests.push(seen);
      const step = steps[next++];
      if (!step) {
        res.writeHead(599).end('unscripted request');
        return;
      }
      step(req, res, seen);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

export const reply =
  (statusCode: number, body: string, contentType = 'text/xml; charset=utf-8'): Step =>
  (_req, res) => {
    res.writeHead(statusCode, { 'content-type': contentType }).end(body);
  };

/** Read the request, then never answer (the client must time out). */
export const hang = (): Step => () => undefined;

/** Read the request, then destroy the connection without a byte of answer. */
export const resetAfterBody = (): Step => (req) => {
  req.socket.destroy();
};

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export const AIRTIME: ProductConfig = { id: 'airtime', kind: 'airtime', range: { min: '10', max: '5000' } };
export const DATA_1GB: ProductConfig = {
  id: 'data-1gb',
  kind: 'data',
  denominations: ['300'],
  operatorProductId: 'DATA_1GB',
};

export function makeOperator(
  dialect: string,
  endpoint: string,
  options: Record<string, string | number | boolean> = {},
): OperatorConfig {
  return {
    id: `test-${dialect.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`,
    name: `Test ${dialect}`,
    country: 'AF',
    prefixes: ['+9370'],
    currency: 'AFN',
    products: [AIRTIME, DATA_1GB],
    api: {
      dialect,
      endpoints: [endpoint],
      timeouts: { connectMs: 500, requestMs: 200, statusMs: 200 },
      credentials: 'secret:test',
      options,
      statusQuery: true,
      settleWindowMs: 60_000,
    },
    egress: { mode: 'cidr', subnet: '127.0.0.8/29' },
    limits: {
      concurrency: 4,
      ratePerSecond: 50,
      circuit: { failureThreshold: 5, cooldownMs: 30_000 },
      probeIntervalMs: 0,
    },
  };
}

export function makeCall(overrides: Partial<RechargeCall> = {}): RechargeCall {
  return {
    reference: 'MG-01J9ZK3Q5R',
    msisdn: '+93701234567',
    amountMinor: 10_000,
    currency: 'AFN',
    product: AIRTIME,
    acceptedAt: Date.UTC(2025, 2, 4, 9, 5, 6),
    ...overrides,
  };
}

/** A plain agent for tests (no source binding), closed by the caller. */
export function testAgent(): Agent {
  return new Agent({ connect: { timeout: 500 }, keepAliveTimeout: 1_000 });
}

// generous enough for a loaded CI machine; tests of timeouts wait this long for their hang
export function ctxFor(endpoint: string, dispatcher: Agent, timeoutMs = 1_000): CallContext {
  return { endpoint, dispatcher, timeoutMs };
}

/** The fixed clock the tests inject: 2025-03-04 09:05:06 UTC. */
export const FIXED_NOW = () => new Date(Date.UTC(2025, 2, 4, 9, 5, 6));

/** A status outcome as the tables expect it: its status, and `error:auth` for a refusal of our credentials. */
export function statusRead(out: StatusOutcome): string {
  return out.status === 'error' && out.reason ? `error:${out.reason}` : out.status;
}
