/**
 * The tunnel monitor: per operator, both tunnels' state from a source (by default VICI: state and
 * byte counters from the charon running our end; or AWS CloudWatch's TunnelState, see
 * cloudwatch-probe.ts), and a TCP connect through the tunnel from the egress source to the
 * operator's API, every `intervalMs`. With failover on (VICI only), when the active tunnel dies (its
 * CHILD_SA is gone, or TCP probes time out `failAfter` times in a row) the standby is brought up over
 * VICI (`terminate` the dead one, `initiate` the other).
 *
 * The gateway can consume it as is: `snapshot()` for the health API and metrics, events for logs.
 */
import { EventEmitter } from 'node:events';
import { createViciClient, type ViciClient } from '../vici/client.js';
import { type TcpProbeResult, type TcpProbeTarget, tcpProbe } from './tcp-probe.js';
import { readTunnelSas, type TunnelSa, tunnelUp } from './vici-probe.js';

export interface MonitoredTunnelPair {
  readonly operatorId: string;
  /** The two tunnels' IKE and CHILD_SA names (swanctlConnectionNames). */
  readonly tunnels: readonly [
    { readonly ike: string; readonly child: string },
    { readonly ike: string; readonly child: string },
  ];
  /** The VICI socket of the charon that runs our end of these tunnels (required by the VICI source). */
  readonly viciSocket?: string;
  /** What the TCP probe connects to, through the tunnel. */
  readonly target: TcpProbeTarget;
}

/** One pair's two tunnels as a source read them. */
export interface TunnelPairReading {
  readonly tunnels: readonly [TunnelView, TunnelView];
  /** Why the state could not be read; the tunnels then read as not up. */
  readonly error?: string;
}

/** Where tunnel states come from: VICI (the default) or CloudWatch (createCloudWatchTunnelSource). */
export interface TunnelStateSource {
  /** Names the source in snapshots: `vici`, `cloudwatch`. */
  readonly kind: string;
  /** Every pair's reading by operator id. Should not throw: a failure is a reading with `error`. */
  read(pairs: readonly MonitoredTunnelPair[]): Promise<ReadonlyMap<string, TunnelPairReading>>;
  /** Calls onChange when a tunnel changes between rounds, where the source can tell (VICI's child-updown). */
  watch?(pairs: readonly MonitoredTunnelPair[], onChange: () => void): Promise<void>;
  close(): Promise<void>;
}

export interface TunnelMonitorOptions {
  readonly tunnels: readonly MonitoredTunnelPair[];
  /** Where tunnel states come from. Default: VICI, each pair's `viciSocket`. */
  readonly source?: TunnelStateSource;
  /** Default 1 000 ms. */
  readonly intervalMs?: number;
  /** TCP probe timeout; default the interval (at most 2 000 ms). */
  readonly probeTimeoutMs?: number;
  /** Bring the standby up when the active tunnel dies (VICI source only). Default false (observe only). */
  readonly failover?: boolean;
  /** Consecutive TCP timeouts that declare the active tunnel dead. Default 3. */
  readonly failAfter?: number;
  readonly now?: () => number;
}

export interface TunnelView {
  readonly name: string;
  /** VICI: the IKE_SA state (ESTABLISHED, CONNECTING..., DOWN). CloudWatch: UP, DOWN or UNKNOWN. */
  readonly state: string;
  /** VICI: the CHILD_SA state (INSTALLED...) or `none`. CloudWatch: `n/a`. */
  readonly child: string;
  readonly up: boolean;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** CloudWatch: AWS's outside IP of the tunnel (the TunnelIpAddress dimension), when known. */
  readonly outsideIp?: string;
  /** CloudWatch: when the datapoint read was taken (ms since epoch). */
  readonly observedAt?: number;
  /** Why this tunnel's state is unknown. */
  readonly error?: string;
}

export interface FailoverEvent {
  readonly operatorId: string;
  readonly from: 0 | 1 | null;
  readonly to: 0 | 1;
  readonly reason: string;
  /** The last successful TCP probe before the failure (ms since epoch). */
  readonly lastOkAt: number | null;
  readonly detectedAt: number;
  readonly initiatedAt: number;
  /** The first successful TCP probe on the new tunnel. */
  restoredAt: number | null;
  /** restoredAt - lastOkAt: how long traffic could not flow, as the probes saw it. */
  outageMs: number | null;
  error?: string;
}

export interface OperatorTunnelHealth {
  readonly operatorId: string;
  /** The source the tunnel states came from: `vici`, `cloudwatch`. */
  readonly source: string;
  /** Why the last round could not read the tunnels' state (then they read as not up), else null. */
  readonly error: string | null;
  /** The tunnel carrying traffic (0 or 1), or null when neither is up. */
  readonly active: 0 | 1 | null;
  readonly tunnels: readonly [TunnelView, TunnelView];
  readonly tcp: (TcpProbeResult & { readonly at: number }) | null;
  readonly healthy: boolean;
  readonly lastOkAt: number | null;
  readonly consecutiveFailures: number;
  readonly failovers: readonly FailoverEvent[];
}

export interface TunnelMonitorSnapshot {
  readonly at: number;
  readonly operators: readonly OperatorTunnelHealth[];
}

export interface TunnelMonitor {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One round of probes now (start() runs them every intervalMs). */
  tick(): Promise<TunnelMonitorSnapshot>;
  snapshot(): TunnelMonitorSnapshot;
  on(event: 'snapshot', fn: (s: TunnelMonitorSnapshot) => void): void;
  on(event: 'failover', fn: (e: FailoverEvent) => void): void;
  on(event: 'tunnel-down' | 'tunnel-up', fn: (e: { operatorId: string; tunnel: string }) => void): void;
}

interface PairState {
  health: OperatorTunnelHealth;
  failing: boolean;
  pendingRestore: FailoverEvent | null;
  lastActive: 0 | 1 | null;
}

/** What a tunnel reads as when its source failed: not up, with the reason. */
export function unknownTunnelView(name: string, error?: string): TunnelView {
  return {
    name,
    state: 'UNKNOWN',
    child: 'n/a',
    up: false,
    bytesIn: 0,
    bytesOut: 0,
    ...(error ? { error } : {}),
  };
}

function view(name: string, sa: TunnelSa | undefined): TunnelView {
  return {
    name,
    state: sa?.state ?? 'DOWN',
    child: sa?.child ?? 'none',
    up: tunnelUp(sa),
    bytesIn: sa?.bytesIn ?? 0,
    bytesOut: sa?.bytesOut ?? 0,
  };
}

/** Reads every socket's SAs once per round; a socket that fails gives its pairs that error. */
function createViciSource(vici: (socketPath: string) => ViciClient): TunnelStateSource {
  const socketOf = (pair: MonitoredTunnelPair) => pair.viciSocket as string;
  return {
    kind: 'vici',
    async read(pairs) {
      const bySocket = new Map<string, { sas: TunnelSa[]; error?: string }>();
      for (const socket of new Set(pairs.map(socketOf))) {
        bySocket.set(
          socket,
          await readTunnelSas(vici(socket)).then(
            (sas) => ({ sas }),
            (err: Error) => ({ sas: [], error: `VICI ${socket}: ${err.message}` }),
          ),
        );
      }
      const out = new Map<string, TunnelPairReading>();
      for (const pair of pairs) {
        const { sas, error } = bySocket.get(socketOf(pair)) ?? { sas: [] };
        const tunnels = [0, 1].map((i) =>
          view(
            pair.tunnels[i as 0 | 1].ike,
            sas.find((s) => s.tunnel === pair.tunnels[i as 0 | 1].ike),
          ),
        ) as unknown as [TunnelView, TunnelView];
        out.set(pair.operatorId, { tunnels, ...(error ? { error } : {}) });
      }
      return out;
    },
    async watch(pairs, onChange) {
      for (const socket of new Set(pairs.map(socketOf))) {
        await vici(socket)
          .on('child-updown', onChange)
          .catch(() => undefined);
      }
    },
    async close() {},
  };
}

export function createTunnelMonitor(options: TunnelMonitorOptions): TunnelMonitor {
  const intervalMs = options.intervalMs ?? 1_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? Math.min(intervalMs, 2_000);
  const failAfter = options.failAfter ?? 3;
  const now = options.now ?? Date.now;
  const events = new EventEmitter();
  const clients = new Map<string, ViciClient>();
  const vici = (socketPath: string) => {
    let c = clients.get(socketPath);
    if (!c) {
      c = createViciClient({ socketPath, timeoutMs: 15_000 });
      clients.set(socketPath, c);
    }
    return c;
  };
  const source = options.source ?? createViciSource(vici);
  // options are checked when the monitor is built, not on the first failing round
  if (options.failover && source.kind !== 'vici') {
    throw new TypeError(`failover needs the VICI source: ${source.kind} cannot bring a tunnel up`);
  }
  if (!options.source) {
    const missing = options.tunnels.find((p) => !p.viciSocket);
    if (missing) throw new TypeError(`${missing.operatorId}: the VICI source needs a viciSocket`);
  }
  const states = new Map<string, PairState>();
  for (const pair of options.tunnels) {
    states.set(pair.operatorId, {
      health: {
        operatorId: pair.operatorId,
        source: source.kind,
        error: null,
        active: null,
        tunnels: [view(pair.tunnels[0].ike, undefined), view(pair.tunnels[1].ike, undefined)],
        tcp: null,
        healthy: false,
        lastOkAt: null,
        consecutiveFailures: 0,
        failovers: [],
      },
      failing: false,
      pendingRestore: null,
      lastActive: null,
    });
  }
  let current: TunnelMonitorSnapshot = { at: now(), operators: [...states.values()].map((s) => s.health) };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<TunnelMonitorSnapshot> | undefined;
  let stopped = false;

  async function failover(pair: MonitoredTunnelPair, st: PairState, reason: string): Promise<void> {
    if (st.failing) return;
    st.failing = true;
    const from = st.health.active ?? st.lastActive;
    const to: 0 | 1 = from === 0 ? 1 : 0;
    const detectedAt = now();
    const event: FailoverEvent = {
      operatorId: pair.operatorId,
      from,
      to,
      reason,
      lastOkAt: st.health.lastOkAt,
      detectedAt,
      initiatedAt: detectedAt,
      restoredAt: null,
      outageMs: null,
    };
    const client = vici(pair.viciSocket as string);
    try {
      if (from !== null) {
        await client
          .terminate({ ike: pair.tunnels[from].ike, force: true, timeoutMs: -1 })
          .catch(() => undefined); // already gone: DPD cleared it
      }
      (event as { initiatedAt: number }).initiatedAt = now();
      await client.initiate({ child: pair.tunnels[to].child, ike: pair.tunnels[to].ike, timeoutMs: 8_000 });
      st.lastActive = to;
      st.pendingRestore = event;
    } catch (err) {
      event.error = (err as Error).message;
      // next round tries the other way round
      st.lastActive = to;
    } finally {
      st.failing = false;
      st.health = { ...st.health, failovers: [...st.health.failovers, event] };
      events.emit('failover', event);
    }
  }

  async function readAll(): Promise<ReadonlyMap<string, TunnelPairReading>> {
    try {
      return await source.read(options.tunnels);
    } catch (err) {
      // a source that throws anyway: every tunnel reads as unknown, the next round tries again
      const error = `${source.kind}: ${(err as Error).message}`;
      return new Map(
        options.tunnels.map((pair) => [
          pair.operatorId,
          {
            tunnels: [unknownTunnelView(pair.tunnels[0].ike), unknownTunnelView(pair.tunnels[1].ike)],
            error,
          },
        ]),
      );
    }
  }

  async function round(): Promise<TunnelMonitorSnapshot> {
    const readings = await readAll();
    await Promise.all(
      options.tunnels.map(async (pair) => {
        const st = states.get(pair.operatorId) as PairState;
        const reading = readings.get(pair.operatorId) ?? {
          tunnels: [unknownTunnelView(pair.tunnels[0].ike), unknownTunnelView(pair.tunnels[1].ike)],
          error: `${source.kind}: no reading for ${pair.operatorId}`,
        };
        const tunnels = reading.tunnels;
        const active: 0 | 1 | null = tunnels[0].up ? 0 : tunnels[1].up ? 1 : null;
        const prev = st.health;
        for (const i of [0, 1] as const) {
          if (prev.tunnels[i].up && !tunnels[i].up)
            events.emit('tunnel-down', { operatorId: pair.operatorId, tunnel: tunnels[i].name });
          if (!prev.tunnels[i].up && tunnels[i].up)
            events.emit('tunnel-up', { operatorId: pair.operatorId, tunnel: tunnels[i].name });
        }
        const tcp = { ...(await tcpProbe(pair.target, probeTimeoutMs)), at: now() };
        // refused means a RST came back: the path works (the application is another layer)
        const reachable = tcp.outcome === 'connected' || tcp.outcome === 'refused';
        const lastOkAt = reachable ? tcp.at : prev.lastOkAt;
        if (reachable && st.pendingRestore) {
          const e = st.pendingRestore;
          e.restoredAt = tcp.at;
          e.outageMs = e.lastOkAt === null ? null : tcp.at - e.lastOkAt;
          st.pendingRestore = null;
          events.emit('failover', e);
        }
        if (active !== null) st.lastActive = active;
        st.health = {
          operatorId: pair.operatorId,
          source: source.kind,
          error: reading.error ?? null,
          active,
          tunnels,
          tcp,
          healthy: active !== null && reachable,
          lastOkAt,
          consecutiveFailures: reachable ? 0 : prev.consecutiveFailures + 1,
          failovers: prev.failovers,
        };
        if (!options.failover || stopped) return;
        if (st.lastActive !== null && active === null)
          await failover(pair, st, `tunnel ${st.lastActive + 1} is down (no installed CHILD_SA)`);
        else if (active !== null && !reachable && st.health.consecutiveFailures >= failAfter)
          await failover(
            pair,
            st,
            `${st.health.consecutiveFailures} TCP probes through tunnel ${active + 1} failed`,
          );
      }),
    );
    current = {
      at: now(),
      operators: options.tunnels.map((t) => (states.get(t.operatorId) as PairState).health),
    };
    events.emit('snapshot', current);
    return current;
  }

  function tick(): Promise<TunnelMonitorSnapshot> {
    running ??= round().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(async () => {
      await tick().catch(() => undefined);
      schedule();
    }, intervalMs);
  }

  return {
    async start() {
      stopped = false;
      // a CHILD_SA going down triggers a round at once instead of waiting for the next interval
      await source
        .watch?.(options.tunnels, () => {
          void tick().catch(() => undefined);
        })
        .catch(() => undefined);
      await tick();
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      await source.close().catch(() => undefined);
      await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
      clients.clear();
    },
    tick,
    snapshot: () => current,
    on(event: string, fn: (arg: never) => void) {
      events.on(event, fn as (...args: unknown[]) => void);
    },
  };
}
