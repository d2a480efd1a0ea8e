/**
 * The tunnel monitor: per operator, both tunnels' VICI state and byte counters, and a TCP connect
 * through the tunnel from the egress source to the operator's API, every `intervalMs`. With failover
 * on, when the active tunnel dies (its CHILD_SA is gone, or TCP probes time out `failAfter` times in
 * a row) the standby is brought up over VICI (`terminate` the dead one, `initiate` the other).
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
  /** The VICI socket of the charon that runs our end of these tunnels. */
  readonly viciSocket: string;
  /** What the TCP probe connects to, through the tunnel. */
  readonly target: TcpProbeTarget;
}

export interface TunnelMonitorOptions {
  readonly tunnels: readonly MonitoredTunnelPair[];
  /** Default 1 000 ms. */
  readonly intervalMs?: number;
  /** TCP probe timeout; default the interval (at most 2 000 ms). */
  readonly probeTimeoutMs?: number;
  /** Bring the standby up when the active tunnel dies. Default false (observe only). */
  readonly failover?: boolean;
  /** Consecutive TCP timeouts that declare the active tunnel dead. Default 3. */
  readonly failAfter?: number;
  readonly now?: () => number;
}

export interface TunnelView {
  readonly name: string;
  readonly state: string;
  readonly child: string;
  readonly up: boolean;
  readonly bytesIn: number;
  readonly bytesOut: number;
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
  const states = new Map<string, PairState>();
  for (const pair of options.tunnels) {
    states.set(pair.operatorId, {
      health: {
        operatorId: pair.operatorId,
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
    const client = vici(pair.viciSocket);
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

  async function round(): Promise<TunnelMonitorSnapshot> {
    const bySocket = new Map<string, TunnelSa[]>();
    for (const socket of new Set(options.tunnels.map((t) => t.viciSocket))) {
      bySocket.set(socket, await readTunnelSas(vici(socket)).catch(() => []));
    }
    await Promise.all(
      options.tunnels.map(async (pair) => {
        const st = states.get(pair.operatorId) as PairState;
        const sas = bySocket.get(pair.viciSocket) ?? [];
        const tunnels = [0, 1].map((i) =>
          view(
            pair.tunnels[i as 0 | 1].ike,
            sas.find((s) => s.tunnel === pair.tunnels[i as 0 | 1].ike),
          ),
        ) as unknown as [TunnelView, TunnelView];
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
      for (const socket of new Set(options.tunnels.map((t) => t.viciSocket))) {
        await vici(socket)
          .on('child-updown', () => {
            void tick().catch(() => undefined);
          })
          .catch(() => undefined);
      }
      await tick();
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
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
