/**
 * One operator's listener: a TCP server that plays the operator's firewall (whitelist) in front of an
 * HTTP server that runs the dialect, and that delivers each reply as the fault model says: answered
 * after a delay, held open, reset, or HTTP 500. Every held connection and timer is released on stop.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { OperatorCounters } from './counters.js';
import { bump } from './counters.js';
import type { DialectHandler, SimReply } from './dialect.js';
import { plainAddress, type Whitelist } from './whitelist.js';

export interface OperatorServerOptions {
  readonly host: string;
  readonly port: number;
  readonly handler: DialectHandler;
  readonly whitelist: Whitelist;
  readonly counters: () => OperatorCounters;
  /** Whether the whitelist currently refuses everyone. */
  readonly denyAll: () => boolean;
  /** How long a "never answer" fault holds the connection before closing it. */
  readonly hangMs: number;
  /** Largest request body read, in bytes. */
  readonly maxBodyBytes?: number;
}

export interface OperatorServer {
  /** Starts listening (again); resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }>;
  /** Stops listening and drops every connection: the operator is down. */
  close(): Promise<void>;
  readonly listening: boolean;
}

export function createOperatorServer(o: OperatorServerOptions): OperatorServer {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let tcp: Server | undefined;
  let boundPort = o.port;
  const maxBody = o.maxBodyBytes ?? 1_048_576;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const deliver = (reply: SimReply, res: ServerResponse) => {
    const socket = res.socket;
    switch (reply.transport ?? 'answer') {
      case 'hang':
        // never answer; the client times out. Closed (not reset) after hangMs so nothing leaks.
        later(o.hangMs, () => socket?.destroy());
        return;
      case 'reset':
        if (socket && !socket.destroyed) socket.resetAndDestroy();
        return;
      case 'http-500':
        res.writeHead(500, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
        res.end('<html><body><h1>500 Internal Server Error</h1></body></html>\n');
        return;
      default:
        res.writeHead(reply.status, { 'content-type': reply.contentType, ...reply.headers });
        res.end(reply.body);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    o.counters().requests += 1;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > maxBody) return;
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `${o.host}:${boundPort}`}`);
      Promise.resolve()
        .then(() =>
          o.handler.handle({
            method: req.method ?? 'GET',
            url,
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        .then(
          (reply) => {
            const delay = reply.delayMs ?? 0;
            if (delay > 0) later(delay, () => deliver(reply, res));
            else deliver(reply, res);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`simulator error: ${(err as Error).message}\n`);
          },
        );
    });
  };

  const http = createHttpServer({ keepAliveTimeout: 5_000 }, onRequest);
  http.on('clientError', (_err, socket) => socket.destroy());

  const onConnection = (socket: Socket) => {
    const source = plainAddress(socket.remoteAddress);
    const counters = o.counters();
    if (o.denyAll() || !o.whitelist.allows(source)) {
      // the operator's firewall: refused before a byte of HTTP is read
      counters.connectionsRefused += 1;
      bump(counters.refusedSources, source);
      socket.on('error', () => {});
      socket.resetAndDestroy();
      return;
    }
    counters.connectionsAccepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    http.emit('connection', socket);
  };

  return {
    get listening() {
      return tcp !== undefined;
    },
    listen() {
      if (tcp) {
        const a = tcp.address() as AddressInfo;
        return Promise.resolve({ host: o.host, port: a.port });
      }
      const server = createTcpServer(onConnection);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(boundPort, o.host, () => {
          server.off('error', reject);
          tcp = server;
          boundPort = (server.address() as AddressInfo).port;
          resolve({ host: o.host, port: boundPort });
        });
      });
    },
    close() {
      const server = tcp;
      tcp = undefined;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return Promise.resolve();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
