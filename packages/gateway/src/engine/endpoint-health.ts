/**
 * Which of an operator's endpoints to try, in what order. Endpoints keep their configured priority;
 * an endpoint is put last while it is down. It goes down on a failed active probe (a TCP connect from
 * the egress source, every probeIntervalMs) or on a call that could not connect, and comes back up
 * on a successful probe or call.
 */
import { tcpProbe } from '@mnogate/network';

export interface EndpointState {
  readonly url: string;
  readonly up: boolean;
  /** Why it is down, if it is. */
  readonly reason: string | null;
  readonly lastProbeAt: number | null;
  readonly lastProbeMs: number | null;
  readonly lastChangeAt: number;
}

export interface EndpointHealthOptions {
  readonly endpoints: readonly string[];
  /** 0 turns active probing off. */
  readonly probeIntervalMs: number;
  readonly connectTimeoutMs: number;
  /** The operator's egress source address. */
  readonly localAddress?: string | undefined;
  readonly now?: () => number;
  readonly onChange?: (endpoint: string, up: boolean) => void;
}

export interface EndpointHealth {
  /** Up endpoints in priority order, then down ones (still worth a try when nothing else is up). */
  ordered(): readonly string[];
  observe(endpoint: string, result: 'success' | 'failure' | 'not-sent'): void;
  snapshot(): readonly EndpointState[];
  /** Probes every endpoint once now. */
  probeAll(): Promise<void>;
  start(): void;
  stop(): void;
}

function hostPortOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
  };
}

export function createEndpointHealth(options: EndpointHealthOptions): EndpointHealth {
  const now = options.now ?? Date.now;
  const states = new Map<string, EndpointState>(
    options.endpoints.map((url) => [
      url,
      { url, up: true, reason: null, lastProbeAt: null, lastProbeMs: null, lastChangeAt: now() },
    ]),
  );
  let timer: NodeJS.Timeout | undefined;

  function set(url: string, up: boolean, reason: string | null, probe?: { at: number; ms: number }) {
    const s = states.get(url);
    if (!s) return;
    const changed = s.up !== up;
    states.set(url, {
      url,
      up,
      reason: up ? null : reason,
      lastProbeAt: probe?.at ?? s.lastProbeAt,
      lastProbeMs: probe?.ms ?? s.lastProbeMs,
      lastChangeAt: changed ? now() : s.lastChangeAt,
    });
    if (changed) options.onChange?.(url, up);
  }

  async function probe(url: string) {
    const target = hostPortOf(url);
    const at = now();
    const result = await tcpProbe(
      { ...target, ...(options.localAddress ? { localAddress: options.localAddress } : {}) },
      options.connectTimeoutMs,
    );
    set(
      url,
      result.outcome === 'connected',
      `probe: ${result.outcome}${result.error ? ` (${result.error})` : ''}`,
      {
        at,
        ms: result.ms,
      },
    );
  }

  return {
    ordered() {
      const all = [...states.values()];
      return [...all.filter((s) => s.up), ...all.filter((s) => !s.up)].map((s) => s.url);
    },
    observe(endpoint, result) {
      if (result === 'not-sent') set(endpoint, false, 'a call could not connect');
      else if (result === 'success') set(endpoint, true, null);
      // a timeout or reset after sending says little about the path: leave it to the probe
    },
    snapshot: () => [...states.values()],
    async probeAll() {
      await Promise.all([...states.keys()].map(probe));
    },
    start() {
      if (options.probeIntervalMs <= 0 || timer) return;
      const loop = async () => {
        await this.probeAll().catch(() => {});
        timer = setTimeout(loop, options.probeIntervalMs);
        timer.unref();
      };
      void loop();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
