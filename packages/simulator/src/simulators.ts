/**
 * createSimulators: one server per operator of the config, on the host:port of its first endpoint,
 * all over one ledger and fault model, plus the control API. See docs/simulator.md.
 */
import type { Dialect, MnogateConfig, OperatorConfig } from '@mnogate/core';
import { createControlApi } from './control-api.js';
import { emptyCounters, type OperatorCounters } from './counters.js';
import { DIALECTS } from './dialects/index.js';
import { DEFAULT_FAULTS, type OperatorFaults } from './faults.js';
import { type LatencyDistribution, NO_LATENCY } from './latency.js';
import { createLedger, type Ledger } from './ledger.js';
import { createOperatorContext } from './operator-context.js';
import { createOperatorServer, type OperatorServer } from './operator-server.js';
import { whitelistFromEgress } from './whitelist.js';

export interface SimulatorOptions {
  /** Each operator's resolved credentials, by operator id (what the operator expects to be sent). */
  readonly credentials: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Default Math.random: draws latencies and the sloppy / prefixed wire variants. */
  readonly random?: () => number;
  /** Default Date.now. */
  readonly now?: () => number;
  /** Latency of every answer; default none. */
  readonly latency?: LatencyDistribution;
  /** How long "never answer" faults hold the connection; default 120 000 ms. */
  readonly hangMs?: number;
  /** The delay of the `slow` fault; default 10 000 ms. */
  readonly slowMs?: number;
  /** The delay of status queries about a `slow-status` top-up; default 10 000 ms. */
  readonly slowStatusMs?: number;
  /** How long a `pending` top-up reads as pending before it reads as succeeded; default 5 000 ms. */
  readonly pendingMs?: number;
  /** Each operator's reseller float at start and after reset; default 1 000 000 000 minor units. */
  readonly initialFloatMinor?: number;
  /** Overrides config.simulator.control (tests pass port 0). */
  readonly control?: { readonly host: string; readonly port: number };
  /** Only these operators (default every operator of the config). */
  readonly operators?: readonly string[];
}

export const SIMULATOR_DEFAULTS = Object.freeze({
  hangMs: 120_000,
  slowMs: 10_000,
  slowStatusMs: 10_000,
  pendingMs: 5_000,
  initialFloatMinor: 1_000_000_000,
});

export interface StartedOperator {
  readonly id: string;
  readonly dialect: Dialect;
  /** The first endpoint URL with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** This operator's part of the control API. */
  readonly controlUrl: string;
  /** The source CIDRs the operator accepts. */
  readonly whitelist: readonly string[];
}

export interface StartedSimulators {
  readonly operators: readonly StartedOperator[];
  readonly controlUrl: string;
}

export interface Simulators {
  start(): Promise<StartedSimulators>;
  /** Stops every server, releasing held connections at once. */
  stop(): Promise<void>;
  readonly operatorIds: readonly string[];
  readonly ledger: Ledger;
  counters(operatorId: string): OperatorCounters;
  faults(operatorId: string): OperatorFaults;
  /** Merges (or with replace, sets over the defaults) an operator's faults; `down` closes or reopens its port. */
  setFaults(
    operatorId: string,
    patch: Partial<OperatorFaults>,
    options?: { replace?: boolean },
  ): Promise<OperatorFaults>;
  /** Clears ledger, counters and faults (of one operator or all) and brings downed operators back. */
  reset(operatorId?: string): Promise<void>;
}

interface Runtime {
  readonly operator: OperatorConfig;
  readonly dialect: Dialect;
  readonly server: OperatorServer;
  readonly endpoint: URL;
  readonly whitelist: readonly string[];
  counters: OperatorCounters;
  faults: OperatorFaults;
  port: number;
}

/** Reads the host and port an endpoint URL names. */
function hostPort(url: URL): { host: string; port: number } {
  if (url.protocol !== 'http:') {
    throw new Error(`the simulator serves plain HTTP only; endpoint ${url.href} is ${url.protocol}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, port: url.port === '' ? 80 : Number(url.port) };
}

export function createSimulators(config: MnogateConfig, options: SimulatorOptions): Simulators {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const selected = config.operators.filter((o) => !options.operators || options.operators.includes(o.id));
  for (const o of selected) {
    if (!(o.api.dialect in DIALECTS)) {
      throw new Error(`operator '${o.id}': the simulator has no dialect '${o.api.dialect}'`);
    }
    if (!options.credentials[o.id])
      throw new Error(`operator '${o.id}': no credentials given to the simulator`);
  }
  const operatorIds = selected.map((o) => o.id);
  const ledger = createLedger({
    operatorIds,
    initialFloatMinor: options.initialFloatMinor ?? SIMULATOR_DEFAULTS.initialFloatMinor,
    now,
  });
  const runtimes = new Map<string, Runtime>();
  for (const operator of selected) {
    const dialect = operator.api.dialect as Dialect;
    const endpoint = new URL(operator.api.endpoints[0]!);
    const { host, port } = hostPort(endpoint);
    const whitelist = whitelistFromEgress(operator.egress);
    const rt: Partial<Runtime> & { counters: OperatorCounters; faults: OperatorFaults } = {
      counters: emptyCounters(),
      faults: DEFAULT_FAULTS,
    };
    const ctx = createOperatorContext({
      operator,
      credentials: options.credentials[operator.id]!,
      ledger,
      counters: () => rt.counters,
      faults: () => rt.faults,
      random,
      now,
      latency: options.latency ?? NO_LATENCY,
      slowMs: options.slowMs ?? SIMULATOR_DEFAULTS.slowMs,
      slowStatusMs: options.slowStatusMs ?? SIMULATOR_DEFAULTS.slowStatusMs,
      pendingMs: options.pendingMs ?? SIMULATOR_DEFAULTS.pendingMs,
    });
    const server = createOperatorServer({
      host,
      port,
      handler: DIALECTS[dialect](ctx),
      whitelist,
      counters: () => rt.counters,
      denyAll: () => rt.faults.denyAll,
      hangMs: options.hangMs ?? SIMULATOR_DEFAULTS.hangMs,
    });
    runtimes.set(
      operator.id,
      Object.assign(rt, { operator, dialect, server, endpoint, whitelist: whitelist.cidrs, port }),
    );
  }
  const runtime = (id: string): Runtime => {
    const r = runtimes.get(id);
    if (!r) throw new Error(`no operator '${id}' in the simulator`);
    return r;
  };

  let controlBase = '';
  let started = false;
  const describeOne = (r: Runtime): StartedOperator => {
    const url = new URL(r.endpoint.href);
    url.port = String(r.port);
    return {
      id: r.operator.id,
      dialect: r.dialect,
      url: url.href,
      host: url.hostname,
      port: r.port,
      controlUrl: `${controlBase}/operators/${encodeURIComponent(r.operator.id)}`,
      whitelist: r.whitelist,
    };
  };
  const describe = (): StartedSimulators => ({
    operators: [...runtimes.values()].map(describeOne),
    controlUrl: controlBase,
  });

  const applyDown = async (r: Runtime) => {
    if (!started) return;
    if (r.faults.down && r.server.listening) await r.server.close();
    else if (!r.faults.down && !r.server.listening) r.port = (await r.server.listen()).port;
  };

  const sims: Simulators = {
    operatorIds,
    ledger,
    counters: (id) => runtime(id).counters,
    faults: (id) => runtime(id).faults,
    async setFaults(id, patch, opts) {
      const r = runtime(id);
      r.faults = Object.freeze({ ...(opts?.replace ? DEFAULT_FAULTS : r.faults), ...patch });
      await applyDown(r);
      return r.faults;
    },
    async reset(id) {
      for (const r of id === undefined ? runtimes.values() : [runtime(id)]) {
        ledger.reset(r.operator.id);
        r.counters = emptyCounters();
        r.faults = DEFAULT_FAULTS;
        await applyDown(r);
      }
    },
    async start() {
      if (started) return describe();
      started = true;
      try {
        for (const r of runtimes.values()) {
          if (!r.faults.down) r.port = (await r.server.listen()).port;
        }
        const c = await control.listen();
        controlBase = `http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
      } catch (err) {
        await sims.stop();
        throw err;
      }
      return describe();
    },
    async stop() {
      started = false;
      await Promise.all([...runtimes.values()].map((r) => r.server.close()));
      await control.close();
    },
  };
  const control = createControlApi(
    { ...sims, describe, faults: sims.faults, counters: sims.counters },
    options.control ?? config.simulator.control,
  );
  return sims;
}
