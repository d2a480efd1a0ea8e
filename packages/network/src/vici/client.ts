/**
 * A VICI client over a unix socket. Commands and event (un)registrations are sent one at a time, as
 * the protocol answers them in order; events arrive in between and go to their handlers. Streamed
 * commands (list-sas, list-conns) register their event, collect it until the command's response,
 * and unregister.
 */
import { createConnection, type Socket } from 'node:net';
import {
  decodePacket,
  encodePacket,
  FrameReader,
  PacketType,
  type ViciInputMessage,
  type ViciMessage,
  type ViciPacket,
} from './message-codec.js';

export type ViciErrorCode =
  | 'VICI_CONNECT'
  | 'VICI_CLOSED'
  | 'VICI_TIMEOUT'
  | 'VICI_UNKNOWN_COMMAND'
  | 'VICI_UNKNOWN_EVENT'
  | 'VICI_FAILED'
  | 'VICI_PROTOCOL';

export class ViciError extends Error {
  override name = 'ViciError';
  constructor(
    readonly code: ViciErrorCode,
    message: string,
    readonly response?: ViciMessage,
  ) {
    super(message);
  }
}

export interface ViciClientOptions {
  /** The charon VICI unix socket, e.g. /var/run/charon.vici. */
  readonly socketPath: string;
  /** How long one command may take before it fails with VICI_TIMEOUT. Default 30 000 ms. */
  readonly timeoutMs?: number;
}

export type ViciEventHandler = (message: ViciMessage, event: string) => void;

export interface ViciClient {
  /** Sends a command; resolves with its response message (even when it says success: no). */
  request(command: string, message?: ViciInputMessage): Promise<ViciMessage>;
  /** A streamed command: the events named `eventName` it emits, then its response. */
  streamed(
    command: string,
    eventName: string,
    message?: ViciInputMessage,
  ): Promise<{ events: ViciMessage[]; response: ViciMessage }>;
  /** Registers a handler for an event (ike-updown, child-updown, log...); resolves to an unsubscribe. */
  on(event: string, handler: ViciEventHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;

  version(): Promise<ViciMessage>;
  stats(): Promise<ViciMessage>;
  /** IKE_SAs, each as { <ike name>: details }. */
  listSas(filter?: { ike?: string; ikeId?: number; noblock?: boolean }): Promise<ViciMessage[]>;
  /** Loaded connections, each as { <conn name>: details }. */
  listConns(filter?: { ike?: string }): Promise<ViciMessage[]>;
  initiate(options: { child?: string; ike?: string; timeoutMs?: number }): Promise<ViciMessage>;
  terminate(options: {
    child?: string;
    ike?: string;
    timeoutMs?: number;
    force?: boolean;
  }): Promise<ViciMessage>;
  loadConn(name: string, conn: ViciInputMessage): Promise<ViciMessage>;
  unloadConn(name: string): Promise<ViciMessage>;
  /** A shared secret: { type: 'IKE', data, owners: [ids], id? }. */
  loadShared(secret: {
    type: string;
    data: string;
    owners?: readonly string[];
    id?: string;
  }): Promise<ViciMessage>;
}

interface Pending {
  expect: 'command' | 'event';
  resolve(packet: ViciPacket): void;
  reject(err: Error): void;
}

export function createViciClient(options: ViciClientOptions): ViciClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let socket: Socket | undefined;
  let connecting: Promise<Socket> | undefined;
  let closed = false;
  const pending: Pending[] = [];
  const handlers = new Map<string, Set<ViciEventHandler>>();
  /** Serialises request/response exchanges: one outstanding at a time. */
  let queue: Promise<unknown> = Promise.resolve();

  function fail(err: Error): void {
    for (const p of pending.splice(0)) p.reject(err);
  }

  function dispatch(packet: ViciPacket): void {
    if (packet.type === PacketType.EVENT) {
      for (const h of handlers.get(packet.name ?? '') ?? []) {
        try {
          h(packet.message ?? {}, packet.name ?? '');
        } catch {
          // a failing handler must not break the connection
        }
      }
      return;
    }
    const p = pending.shift();
    if (!p) return;
    const isCommand = packet.type === PacketType.CMD_RESPONSE || packet.type === PacketType.CMD_UNKNOWN;
    if ((p.expect === 'command') !== isCommand) {
      p.reject(new ViciError('VICI_PROTOCOL', `unexpected VICI packet type ${packet.type}`));
      return;
    }
    p.resolve(packet);
  }

  function connect(): Promise<Socket> {
    if (closed) return Promise.reject(new ViciError('VICI_CLOSED', 'the VICI client is closed'));
    if (socket) return Promise.resolve(socket);
    connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = createConnection(options.socketPath);
      const reader = new FrameReader();
      s.once('connect', () => {
        socket = s;
        resolve(s);
      });
      s.once('error', (err) => {
        const e = new ViciError(
          socket ? 'VICI_CLOSED' : 'VICI_CONNECT',
          `VICI ${options.socketPath}: ${err.message}`,
        );
        if (!socket) reject(e);
        fail(e);
      });
      s.on('close', () => {
        socket = undefined;
        connecting = undefined;
        fail(new ViciError('VICI_CLOSED', 'the VICI connection closed'));
      });
      s.on('data', (chunk: Buffer) => {
        try {
          for (const body of reader.push(chunk)) dispatch(decodePacket(body));
        } catch (err) {
          fail(new ViciError('VICI_PROTOCOL', (err as Error).message));
          s.destroy();
        }
      });
    }).finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  /** Sends one packet and waits for its answer, after every earlier exchange. */
  function exchange(packet: ViciPacket, expect: Pending['expect'], waitMs = timeoutMs): Promise<ViciPacket> {
    const run = async () => {
      const s = await connect();
      return await new Promise<ViciPacket>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = pending.indexOf(entry);
          if (i >= 0) pending.splice(i, 1);
          reject(
            new ViciError('VICI_TIMEOUT', `VICI ${packet.name ?? packet.type} timed out after ${waitMs} ms`),
          );
          // the answer may still come: the stream would be out of step, so start afresh
          s.destroy();
        }, waitMs);
        const entry: Pending = {
          expect,
          resolve: (p) => {
            clearTimeout(timer);
            resolve(p);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        pending.push(entry);
        s.write(encodePacket(packet));
      });
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  }

  async function register(event: string): Promise<void> {
    const answer = await exchange({ type: PacketType.EVENT_REGISTER, name: event }, 'event');
    if (answer.type === PacketType.EVENT_UNKNOWN)
      throw new ViciError('VICI_UNKNOWN_EVENT', `unknown VICI event ${event}`);
  }

  async function unregister(event: string): Promise<void> {
    if (!socket) return;
    await exchange({ type: PacketType.EVENT_UNREGISTER, name: event }, 'event');
  }

  async function request(
    command: string,
    message: ViciInputMessage = {},
    waitMs = timeoutMs,
  ): Promise<ViciMessage> {
    const answer = await exchange(
      { type: PacketType.CMD_REQUEST, name: command, message: message as ViciMessage },
      'command',
      waitMs,
    );
    if (answer.type === PacketType.CMD_UNKNOWN) {
      throw new ViciError('VICI_UNKNOWN_COMMAND', `unknown VICI command ${command}`);
    }
    return answer.message ?? {};
  }

  /** Commands that answer `success: yes|no`: a `no` becomes VICI_FAILED with charon's errmsg. */
  async function checked(
    command: string,
    message: ViciInputMessage = {},
    waitMs = timeoutMs,
  ): Promise<ViciMessage> {
    const res = await request(command, message, waitMs);
    if (res.success !== 'yes') {
      throw new ViciError('VICI_FAILED', `VICI ${command}: ${String(res.errmsg ?? 'failed')}`, res);
    }
    return res;
  }

  async function streamed(command: string, eventName: string, message: ViciInputMessage = {}) {
    const events: ViciMessage[] = [];
    const collect: ViciEventHandler = (m) => events.push(m);
    let set = handlers.get(eventName);
    const fresh = !set;
    if (!set) {
      set = new Set();
      handlers.set(eventName, set);
    }
    set.add(collect);
    try {
      if (fresh) await register(eventName);
      const response = await request(command, message);
      return { events, response };
    } finally {
      set.delete(collect);
      if (set.size === 0) {
        handlers.delete(eventName);
        if (fresh) await unregister(eventName).catch(() => undefined);
      }
    }
  }

  return {
    request: (command, message) => request(command, message),
    streamed,
    async on(event, handler) {
      let set = handlers.get(event);
      if (!set) {
        set = new Set();
        handlers.set(event, set);
        try {
          await register(event);
        } catch (err) {
          handlers.delete(event);
          throw err;
        }
      }
      set.add(handler);
      return async () => {
        const s = handlers.get(event);
        if (!s?.delete(handler) || s.size > 0) return;
        handlers.delete(event);
        await unregister(event).catch(() => undefined);
      };
    },
    async close() {
      closed = true;
      handlers.clear();
      const s = socket;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end();
        setTimeout(() => s.destroy(), 1_000).unref();
      });
    },

    version: () => request('version'),
    stats: () => request('stats'),
    async listSas(filter = {}) {
      const { events } = await streamed('list-sas', 'list-sa', {
        ike: filter.ike,
        'ike-id': filter.ikeId,
        noblock: filter.noblock,
      });
      return events;
    },
    async listConns(filter = {}) {
      const { events } = await streamed('list-conns', 'list-conn', { ike: filter.ike });
      return events;
    },
    initiate: ({ child, ike, timeoutMs: t }) =>
      // charon waits `timeout` ms for the outcome; give the socket a little longer
      checked('initiate', { child, ike, timeout: t ?? timeoutMs }, (t ?? timeoutMs) + 5_000),
    terminate: ({ child, ike, timeoutMs: t, force }) =>
      checked('terminate', { child, ike, timeout: t ?? timeoutMs, force }, (t ?? timeoutMs) + 5_000),
    loadConn: (name, conn) => checked('load-conn', { [name]: conn }),
    unloadConn: (name) => checked('unload-conn', { name }),
    loadShared: (secret) =>
      checked('load-shared', { id: secret.id, type: secret.type, data: secret.data, owners: secret.owners }),
  };
}
