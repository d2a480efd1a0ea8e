/**
 * The simulators' control API, on its own port: the ledger and counters as JSON, faults at run time,
 * reset. Routes are listed in docs/simulator.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperatorCounters } from './counters.js';
import { LAST_DIGITS_FAULTS, type OperatorFaults, parseFaultsPatch } from './faults.js';
import type { Ledger } from './ledger.js';

export interface ControlTarget {
  readonly operatorIds: readonly string[];
  readonly ledger: Ledger;
  counters(operatorId: string): OperatorCounters;
  faults(operatorId: string): OperatorFaults;
  setFaults(
    operatorId: string,
    patch: Partial<OperatorFaults>,
    options?: { replace?: boolean },
  ): Promise<OperatorFaults>;
  reset(operatorId?: string): Promise<void>;
  /** Where each operator listens, for GET /. */
  describe(): unknown;
}

export interface ControlApi {
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpProblem(400, 'the body is not valid JSON'));
      }
    });
  });
}

export function createControlApi(
  target: ControlTarget,
  listenOn: { host: string; port: number },
): ControlApi {
  const operator = (id: string | undefined): string => {
    if (id === undefined || !target.operatorIds.includes(id))
      throw new HttpProblem(404, `no operator '${id}'`);
    return id;
  };
  const ledgerOf = (id: string) => ({ operatorId: id, ...target.ledger.snapshot(id) });

  async function route(req: IncomingMessage): Promise<[number, unknown]> {
    const url = new URL(req.url ?? '/', 'http://control');
    let segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    // /operators/<id>/<what>/... is the same as /<what>/<id>/...
    if (segments[0] === 'operators' && segments.length >= 2) {
      const [, id, what, ...rest] = segments;
      if (what === undefined) {
        const oid = operator(id);
        if (method !== 'GET') throw new HttpProblem(405, 'method not allowed');
        return [
          200,
          { id: oid, ledger: ledgerOf(oid), counters: target.counters(oid), faults: target.faults(oid) },
        ];
      }
      segments = [what, id!, ...rest];
    }
    const [what, id, ...rest] = segments;
    switch (what) {
      case undefined:
      case 'operators':
        return [200, target.describe()];
      case 'ledger': {
        if (method !== 'GET') break;
        if (id === undefined) return [200, { operators: target.operatorIds.map(ledgerOf) }];
        const oid = operator(id);
        if (rest[0] === 'transactions' && rest[1] !== undefined) {
          const t = target.ledger.find(oid, rest[1]);
          if (!t) throw new HttpProblem(404, `no transaction '${rest[1]}'`);
          return [200, t];
        }
        if (rest[0] === 'subscribers' && rest[1] !== undefined) {
          return [200, { msisdn: rest[1], balanceMinor: target.ledger.balanceMinor(oid, rest[1]) ?? null }];
        }
        return [200, ledgerOf(oid)];
      }
      case 'float': {
        const oid = operator(id);
        if (method === 'GET') return [200, { floatMinor: target.ledger.floatMinor(oid) }];
        if (method !== 'PUT' && method !== 'POST') break;
        const body = (await readJson(req)) as { floatMinor?: unknown };
        if (typeof body.floatMinor !== 'number' || !Number.isSafeInteger(body.floatMinor)) {
          throw new HttpProblem(400, 'floatMinor must be an integer');
        }
        target.ledger.setFloatMinor(oid, body.floatMinor);
        return [200, { floatMinor: body.floatMinor }];
      }
      case 'counters':
        if (method !== 'GET') break;
        if (id === undefined) {
          return [200, Object.fromEntries(target.operatorIds.map((o) => [o, target.counters(o)]))];
        }
        return [200, target.counters(operator(id))];
      case 'faults': {
        if (id === undefined) {
          if (method !== 'GET') break;
          return [
            200,
            {
              operators: Object.fromEntries(target.operatorIds.map((o) => [o, target.faults(o)])),
              lastDigits: LAST_DIGITS_FAULTS,
            },
          ];
        }
        const oid = operator(id);
        if (method === 'GET') return [200, target.faults(oid)];
        if (method === 'DELETE') return [200, await target.setFaults(oid, {}, { replace: true })];
        if (method !== 'PUT' && method !== 'POST' && method !== 'PATCH') break;
        const patch = parseFaultsPatch(await readJson(req));
        if (typeof patch === 'string') throw new HttpProblem(400, patch);
        return [200, await target.setFaults(oid, patch, { replace: method === 'PUT' })];
      }
      case 'reset': {
        if (method !== 'POST') break;
        const oid = id === undefined ? undefined : operator(id);
        await target.reset(oid);
        return [200, { reset: oid ?? 'all' }];
      }
      default:
        throw new HttpProblem(404, `no route ${url.pathname}`);
    }
    throw new HttpProblem(405, 'method not allowed');
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(body, null, 2)}\n`);
  };

  const server: Server = createServer((req, res) => {
    route(req).then(
      ([status, body]) => send(res, status, body),
      (err: unknown) =>
        err instanceof HttpProblem
          ? send(res, err.status, { error: err.message })
          : send(res, 500, { error: (err as Error).message }),
    );
  });

  return {
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(listenOn.port, listenOn.host, () => {
          server.off('error', reject);
          resolve({ host: listenOn.host, port: (server.address() as AddressInfo).port });
        });
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
