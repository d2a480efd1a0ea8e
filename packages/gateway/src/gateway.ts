/**
 * The gateway service: composes the store, the operator runtimes (connector + egress agent +
 * policy), the engine, the reconciler, the webhook dispatcher and the HTTP app, and owns their
 * start and graceful stop. `mnogate serve` and `mnogate demo` call this.
 */

import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  createRouter,
  type MnogateConfig,
  MnogateError,
  parseConfig,
  parsePortabilityCsv,
  type Router,
} from '@mnogate/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { buildApp } from './api/build-app.js';
import { adminConfigRoutes, type ConfigReloadResult } from './api/routes/admin-config.js';
import { metricsRoutes } from './api/routes/metrics.js';
import { operatorHealthRoutes } from './api/routes/operator-health.js';
import { diffConfigs } from './config-diff.js';
import { createCompletionHub } from './engine/completion.js';
import { createOperatorRuntime } from './engine/create-operator-runtime.js';
import type { EngineEvents } from './engine/engine-events.js';
import { newIdBody } from './engine/ids.js';
import type { OperatorRuntime } from './engine/operator-runtime.js';
import type { CircuitState } from './engine/policies/circuit-breaker.js';
import { createPostgresRateLimitBackend } from './engine/policies/postgres-rate-limit.js';
import { createLocalRateLimitBackend, type RateLimitBackend } from './engine/policies/rate-limit.js';
import { createPollingLoop } from './engine/polling-loop.js';
import { createRechargeEngine, type RechargeEngine } from './engine/recharge-engine.js';
import { createReconciler, type Reconciler } from './engine/reconciler.js';
import { createGatewayTunnelMonitor } from './engine/tunnel-states.js';
import { createWebhookDispatcher, type WebhookDispatcher } from './engine/webhook-dispatcher.js';
import { createSecretsProvider, resolveOperatorCredentials } from './secrets/index.js';
import { createStore, parseStoreUrl } from './store/index.js';
import type { Store } from './store/store.js';
import { createEmfPublisher } from './telemetry/cloudwatch-emf.js';
import { createLogger } from './telemetry/logger.js';
import { combineEvents, createGatewayMetrics, type GatewayMetrics } from './telemetry/metrics.js';

export interface GatewayOptions {
  readonly config: MnogateConfig;
  /** The configuration file: reloads read it, and a reload with new YAML writes it. */
  readonly configFile?: string;
  /** The configuration's YAML text, served by GET /v1/admin/config. @default read from configFile, else generated */
  readonly configText?: string;
  /** The config file's directory: relative paths in it resolve against this. */
  readonly baseDir: string;
  /** An already open store (tests); otherwise config.gateway.store is opened. */
  readonly store?: Store;
  readonly logger?: Logger;
  /** This replica's name in leases. @default `<hostname>-<pid>-<random>` */
  readonly owner?: string;
  /** Environment for the `env` secrets provider. @default process.env is NOT read here: pass it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Observers of the engine (metrics). */
  readonly events?: EngineEvents;
  readonly onCircuitChange?: (operatorId: string, state: CircuitState) => void;
  readonly onEndpointChange?: (operatorId: string, endpoint: string, up: boolean) => void;
  readonly onTunnelChange?: (operatorId: string, tunnel: string, up: boolean) => void;
  /** How often expired idempotency keys are deleted. @default 3_600_000 (hourly) */
  readonly housekeepingIntervalMs?: number;
  /** Start the reconciler and webhook loops. @default true */
  readonly background?: boolean;
  /**
   * Front only this operator (`MNOGATE_OPERATOR_ID` in the AWS deployment, where each operator has
   * its own gateway in its own subnet): only its runtime is built (its egress address, its secrets),
   * the reconciler takes only its recharges, a number of another operator is refused with
   * `MNOGATE_ERR_ROUTE_OTHER_GATEWAY`, and the API is also served under `/operators/<id>` (the load
   * balancer's path rule). @default every operator of the configuration
   */
  readonly operatorScope?: string;
  /**
   * Publish CloudWatch metrics (EMF lines on stdout) in this namespace, even when the configuration
   * has no `gateway.cloudwatchMetrics` (`MNOGATE_CLOUDWATCH_NAMESPACE`, set by the CDK).
   * @default config.gateway.cloudwatchMetrics.namespace, else off
   */
  readonly cloudwatchNamespace?: string;
  /** Where EMF lines go. @default process.stdout */
  readonly emfWrite?: (line: string) => void;
  readonly now?: () => number;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly engine: RechargeEngine;
  readonly reconciler: Reconciler;
  readonly webhooks: WebhookDispatcher;
  /** The running configuration and operators (a reload replaces them). */
  config(): MnogateConfig;
  operators(): ReadonlyMap<string, OperatorRuntime>;
  readonly owner: string;
  readonly logger: Logger;
  /** Prometheus metrics (served at /metrics); its setters take circuit, endpoint and tunnel state. */
  readonly metrics: GatewayMetrics;
  /**
   * Validates and applies a new configuration (the given YAML, else the config file), without a
   * restart. A refused one throws a MnogateError whose details carry the issues; the running one stays.
   */
  reloadConfig(yaml?: string, actor?: string): Promise<ConfigReloadResult>;
  /**
   * Reads every operator's credentials again (the aws and file providers do it every
   * `gateway.secrets.refreshMs`); an operator whose secret changed gets a new runtime, audited as
   * `secrets.rotate`. Returns the ids of those operators.
   */
  refreshCredentials(): Promise<readonly string[]>;
  /** Listens on config.gateway.listen (or the given port/host) and starts the background loops. */
  listen(override?: { host?: string; port?: number }): Promise<string>;
  /** Graceful stop: refuse new recharges, finish in-flight calls, stop loops, release leases, close. */
  stop(): Promise<void>;
}

/** How often the aws and file providers' credentials are read again, unless configured. */
const DEFAULT_SECRETS_REFRESH_MS = 300_000;

/** Which credentials a runtime was built with: a digest, so a rotation is seen without keeping a copy. */
const credentialsDigest = new WeakMap<OperatorRuntime, string>();

function digestOf(credentials: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(credentials)
    .sort()
    .map((k) => [k, credentials[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/**
 * A runtime per operator. With `reuse`, an operator whose config and credentials did not change
 * keeps its runtime (circuit, stats); one whose secret was rotated gets a new one.
 */
async function buildOperatorRuntimes(
  config: MnogateConfig,
  options: GatewayOptions,
  rateLimitBackend: RateLimitBackend,
  reuse?: ReadonlyMap<string, OperatorRuntime>,
): Promise<Map<string, OperatorRuntime>> {
  const provider = createSecretsProvider(config.gateway.secrets, {
    baseDir: options.baseDir,
    env: options.env ?? {},
  });
  const runtimes = new Map<string, OperatorRuntime>();
  try {
    for (const op of config.operators) {
      if (options.operatorScope !== undefined && op.id !== options.operatorScope) continue;
      const credentials = await resolveOperatorCredentials(provider, op);
      const digest = digestOf(credentials);
      const previous = reuse?.get(op.id);
      if (
        previous &&
        JSON.stringify(previous.config) === JSON.stringify(op) &&
        credentialsDigest.get(previous) === digest
      ) {
        runtimes.set(op.id, previous);
        continue;
      }
      const runtime = await createOperatorRuntime(op, {
        credentials,
        baseDir: options.baseDir,
        rateLimitBackend,
        now: options.now,
        onCircuitChange: options.onCircuitChange,
        onEndpointChange: options.onEndpointChange,
      });
      credentialsDigest.set(runtime, digest);
      runtimes.set(op.id, runtime);
    }
  } catch (err) {
    // nothing half-built stays open: close the runtimes this call made, keep the reused ones
    for (const [id, runtime] of runtimes) if (reuse?.get(id) !== runtime) void runtime.close();
    throw err;
  }
  return runtimes;
}

/** Buckets in PostgreSQL when the store is there (shared by replicas), else in this process. */
function createRateLimitBackendFor(config: MnogateConfig, baseDir: string): RateLimitBackend {
  const location = parseStoreUrl(config.gateway.store, baseDir);
  return location.backend === 'postgres'
    ? createPostgresRateLimitBackend({ connectionString: location.connectionString, schema: location.schema })
    : createLocalRateLimitBackend();
}

async function loadRouter(config: MnogateConfig, baseDir: string): Promise<Router> {
  if (!config.gateway.portabilityFile) return createRouter(config.operators);
  const file = resolve(baseDir, config.gateway.portabilityFile);
  const { table, issues } = parsePortabilityCsv(await readFile(file, 'utf8'), {
    source: file,
    knownOperators: new Set(config.operators.map((o) => o.id)),
  });
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new MnogateError(
      'MNOGATE_ERR_CONFIG_PORTABILITY',
      `${file}:${first.line}: ${first.message} (${issues.length} problem(s))`,
      { issues },
    );
  }
  return createRouter(config.operators, table);
}

/** Refuses a scope that names no operator of the configuration, before anything is opened. */
function checkOperatorScope(config: MnogateConfig, scope: string | undefined, where: string): void {
  if (scope === undefined || config.operators.some((op) => op.id === scope)) return;
  throw new MnogateError(
    'MNOGATE_ERR_CONFIG_UNKNOWN_OPERATOR',
    `${where} names operator "${scope}", which the configuration does not have (it has ${config.operators.map((op) => op.id).join(', ')})`,
    { operatorId: scope },
  );
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const config = options.config;
  checkOperatorScope(config, options.operatorScope, 'the operator scope (MNOGATE_OPERATOR_ID)');
  const logger = options.logger ?? createLogger();
  const owner = options.owner ?? `${hostname()}-${process.pid}-${newIdBody(Date.now()).slice(-6)}`;
  const store = options.store ?? createStore(config.gateway.store, { baseDir: options.baseDir });
  await store.migrate();
  // --- metrics: a registry per gateway, fed by the engine's events and the policies' hooks (telemetry/metrics.ts)
  const emfSettings = config.gateway.cloudwatchMetrics;
  const emfNamespace = options.cloudwatchNamespace ?? emfSettings?.namespace;
  const emf = emfNamespace
    ? createEmfPublisher({
        namespace: emfNamespace,
        ...(emfSettings ? { intervalMs: emfSettings.intervalMs } : {}),
        ...(options.emfWrite ? { write: options.emfWrite } : {}),
        ...(options.now ? { now: options.now } : {}),
      })
    : undefined;
  const metrics = createGatewayMetrics({
    store,
    operatorIds: () => live.operators.keys(),
    inFlight: (operatorId) => engine.inFlight(operatorId),
  });
  const userOptions = options;
  options = {
    ...userOptions,
    events: combineEvents(metrics.events, emf?.events, userOptions.events),
    onCircuitChange(operatorId, state) {
      metrics.setCircuitState(operatorId, state);
      userOptions.onCircuitChange?.(operatorId, state);
    },
    onEndpointChange(operatorId, endpoint, up) {
      metrics.setEndpointUp(operatorId, endpoint, up);
      userOptions.onEndpointChange?.(operatorId, endpoint, up);
    },
    onTunnelChange(operatorId, tunnel, up) {
      metrics.setTunnelUp(operatorId, tunnel, up);
      userOptions.onTunnelChange?.(operatorId, tunnel, up);
    },
  };
  // --- end metrics
  const rateLimitBackend = createRateLimitBackendFor(config, options.baseDir);
  // what a configuration reload replaces, swapped in one assignment
  let live = {
    config,
    text:
      options.configText ??
      (options.configFile ? await readFile(options.configFile, 'utf8') : stringify(config)),
    router: await loadRouter(config, options.baseDir),
    operators: await buildOperatorRuntimes(config, options, rateLimitBackend),
  };
  const completions = createCompletionHub();

  // a client's keys, cached briefly: every final state looks up where its webhook goes
  const keyCache = new Map<string, { keys: Awaited<ReturnType<Store['listApiKeys']>>; until: number }>();
  store.onApiKeyRevoked?.(() => keyCache.clear());
  async function activeKeyWith<T>(
    clientId: string,
    pick: (k: Awaited<ReturnType<Store['listApiKeys']>>[number]) => T | null,
  ) {
    const now = Date.now();
    let cached = keyCache.get(clientId);
    if (!cached || cached.until <= now) {
      cached = { keys: await store.listApiKeys(clientId), until: now + 5_000 };
      if (keyCache.size > 10_000) keyCache.clear();
      keyCache.set(clientId, cached);
    }
    for (const key of cached.keys) {
      if (key.revokedAt !== null) continue;
      const value = pick(key);
      if (value !== null) return value;
    }
    return null;
  }
  const webhookTarget = (clientId: string) =>
    activeKeyWith(clientId, (k) => (k.webhookUrl ? { url: k.webhookUrl } : null));
  const signingSecret = (clientId: string) => activeKeyWith(clientId, (k) => k.webhookSecret);

  const shared = {
    config,
    store,
    operators: () => live.operators,
    completions,
    logger,
    owner,
    webhookTarget,
    events: options.events,
    now: options.now,
    operatorScope: options.operatorScope,
  };
  const engine = createRechargeEngine({ ...shared, router: () => live.router });
  const reconciler = createReconciler(shared);
  const webhooks = createWebhookDispatcher({ config, store, logger, owner, signingSecret, now: options.now });

  const monitorTunnels = (c: MnogateConfig) =>
    createGatewayTunnelMonitor(c, {
      onChange: options.onTunnelChange,
      logger,
      ...(options.operatorScope !== undefined ? { operatorScope: options.operatorScope } : {}),
    });
  /** What the tunnel monitor reads from a configuration: a reload rebuilds it only when this changes. */
  const tunnelInputs = (c: MnogateConfig) =>
    JSON.stringify([
      c.gateway.tunnelMonitor ?? null,
      c.network.region,
      c.operators
        .filter((o) => o.vpn)
        .map((o) => [o.id, o.vpn, o.api.endpoints[0], o.egress.sourceIp ?? null]),
    ]);
  let tunnels = monitorTunnels(config);
  let tunnelsRunning = false;
  // expired idempotency keys no longer count (acceptRecharge ignores them); this deletes their rows,
  // and the operator exchanges past their retention
  const housekeeping = createPollingLoop({
    pass: async () => {
      const purged = await store.purgeIdempotencyKeys(Date.now());
      if (purged > 0) logger.info({ purged }, 'expired idempotency keys deleted');
      const retentionDays = config.gateway.exchanges?.retentionDays;
      if (retentionDays !== undefined) {
        const exchanges = await store.purgeExchanges(Date.now() - retentionDays * 86_400_000);
        if (exchanges > 0)
          logger.info({ purged: exchanges, retentionDays }, 'old operator exchanges deleted');
      }
      return 0;
    },
    intervalMs: options.housekeepingIntervalMs ?? 3_600_000,
    fullBatch: Number.POSITIVE_INFINITY,
    onError: (err) => logger.error({ err }, 'housekeeping failed'),
  });

  // reloads and credential refreshes both rebuild runtimes and swap `live`: one at a time
  let swapping: Promise<unknown> = Promise.resolve();
  function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
    const result = swapping.then(run, run);
    swapping = result.catch(() => undefined);
    return result;
  }
  /** Closes the runtimes `next` no longer uses; graceful: their in-flight calls finish first. */
  function closeReplaced(
    previous: ReadonlyMap<string, OperatorRuntime>,
    next: ReadonlyMap<string, OperatorRuntime>,
  ) {
    for (const [id, runtime] of previous) if (next.get(id) !== runtime) void runtime.close();
  }
  async function reloadConfig(yaml?: string, actor = 'system'): Promise<ConfigReloadResult> {
    const run = async (): Promise<ConfigReloadResult> => {
      if (yaml === undefined && !options.configFile) {
        throw new MnogateError(
          'MNOGATE_ERR_CONFIG_FILE',
          'this gateway has no configuration file to reload from: send the YAML',
        );
      }
      const text = yaml ?? (await readFile(options.configFile!, 'utf8'));
      const parsed = parseConfig(text);
      if (!parsed.ok) {
        throw new MnogateError(
          parsed.issues[0]?.code ?? 'MNOGATE_ERR_CONFIG_SCHEMA',
          `the configuration has ${parsed.issues.length} problem(s); the running one stays`,
          { issues: parsed.issues },
        );
      }
      const next = parsed.config;
      checkOperatorScope(next, options.operatorScope, "this gateway's operator scope (MNOGATE_OPERATOR_ID)");
      // operators, router and secrets are built before anything is swapped: a failure leaves all as it was
      const router = await loadRouter(next, options.baseDir);
      const operators = await buildOperatorRuntimes(next, options, rateLimitBackend, live.operators);
      const changes = diffConfigs(live.config, next);
      // the operators, the routing (portability) and the tunnel monitor are swapped live; every other
      // gateway.* setting is read once at start (listener, store, secrets, loops, exchanges): say so
      const swappedLive = ['gateway.portabilityFile', 'gateway.tunnelMonitor'];
      const restartRequired = changes
        .map((c) => c.path)
        .filter((p) => p.startsWith('gateway.') && !swappedLive.some((l) => p.startsWith(l)))
        .map((p) => p.split('.').slice(0, 2).join('.'));
      // a new operator's tunnels (or a new monitor setting) are watched at once: built before the swap
      const rebuildTunnels = tunnelInputs(next) !== tunnelInputs(live.config);
      const nextTunnels = rebuildTunnels ? monitorTunnels(next) : tunnels;
      const previous = live;
      live = { config: next, text, router, operators };
      if (rebuildTunnels) {
        const old = tunnels;
        tunnels = nextTunnels;
        if (tunnelsRunning) await tunnels?.start();
        await old?.stop();
      }
      if (yaml !== undefined && options.configFile) {
        const tmp = `${options.configFile}.${process.pid}.tmp`;
        await writeFile(tmp, text);
        await rename(tmp, options.configFile);
      }
      closeReplaced(previous.operators, operators);
      await store.appendAudit(
        {
          actor,
          action: 'config.reload',
          subject: options.configFile ?? 'configuration',
          detail: { changes, restartRequired },
        },
        Date.now(),
      );
      logger.info({ actor, changes: changes.length, restartRequired }, 'configuration reloaded');
      return { applied: true, changes, restartRequired: [...new Set(restartRequired)] };
    };
    return oneAtATime(run);
  }

  // rotated secrets (aws, file providers): read every operator's credentials again; one that changed
  // gets a new runtime (its connector signs in with the new values), the others keep theirs
  async function refreshCredentials(): Promise<readonly string[]> {
    const run = async (): Promise<readonly string[]> => {
      const current = live;
      const operators = await buildOperatorRuntimes(
        current.config,
        options,
        rateLimitBackend,
        current.operators,
      );
      const rotated = [...operators.keys()].filter((id) => operators.get(id) !== current.operators.get(id));
      if (rotated.length === 0) return rotated;
      live = { ...current, operators };
      closeReplaced(current.operators, operators);
      for (const id of rotated) {
        await store.appendAudit(
          { actor: 'system', action: 'secrets.rotate', subject: id, detail: { operatorId: id } },
          Date.now(),
        );
      }
      logger.info({ operators: rotated }, 'rotated operator credentials picked up');
      return rotated;
    };
    return oneAtATime(run);
  }
  const secretsSettings = config.gateway.secrets;
  const credentialsRefresh =
    secretsSettings.provider === 'env'
      ? undefined
      : createPollingLoop({
          pass: async () => {
            await refreshCredentials();
            return 0;
          },
          intervalMs: secretsSettings.refreshMs ?? DEFAULT_SECRETS_REFRESH_MS,
          fullBatch: Number.POSITIVE_INFINITY,
          onError: (err) =>
            logger.warn({ err }, 'operator credentials could not be read again; the running ones stay'),
        });

  const tls = config.gateway.listen.tls;
  const app = await buildApp({
    config: () => live.config,
    router: () => live.router,
    store,
    engine,
    completions,
    webhookTarget,
    logger,
    apiKeyRateLimit: config.gateway.apiKeyRateLimit,
    ...(options.operatorScope !== undefined ? { pathPrefix: `/operators/${options.operatorScope}` } : {}),
    readiness: async () => ({
      // one operator down leaves the gateway useful for the others; none reachable does not
      operators:
        live.operators.size === 0 ||
        [...live.operators.values()].some((r) => r.health.snapshot().some((e) => e.up)),
    }),
    plugins: [
      metricsRoutes(metrics),
      operatorHealthRoutes({ operators: () => live.operators, tunnels: (id) => tunnels?.states(id) ?? [] }),
      adminConfigRoutes({ currentYaml: () => live.text, reload: reloadConfig }),
    ],
    server: tls
      ? {
          https: {
            cert: await readFile(resolve(options.baseDir, tls.certFile)),
            key: await readFile(resolve(options.baseDir, tls.keyFile)),
            ...(tls.caFile
              ? {
                  ca: await readFile(resolve(options.baseDir, tls.caFile)),
                  requestCert: true,
                  rejectUnauthorized: true,
                }
              : {}),
          },
        }
      : undefined,
  });

  let stopping: Promise<void> | undefined;
  return {
    app,
    store,
    engine,
    reconciler,
    webhooks,
    config: () => live.config,
    operators: () => live.operators,
    owner,
    logger,
    metrics,
    reloadConfig,
    refreshCredentials,
    async listen(override) {
      const address = await app.listen({
        host: override?.host ?? config.gateway.listen.host,
        port: override?.port ?? config.gateway.listen.port,
        // room for bursts of thousands of new connections (Node's default is 511)
        backlog: 4_096,
      });
      if (options.background !== false) {
        reconciler.start();
        webhooks.start();
        tunnelsRunning = true;
        await tunnels?.start();
        housekeeping.start();
        credentialsRefresh?.start();
      }
      emf?.start();
      return address;
    },
    stop() {
      stopping ??= (async () => {
        engine.close();
        await app.close(); // stops accepting; in-flight HTTP requests finish
        await engine.drain();
        await reconciler.stop();
        await webhooks.stop();
        tunnelsRunning = false;
        await tunnels?.stop();
        await housekeeping.stop();
        await credentialsRefresh?.stop();
        emf?.stop(); // the last interval's counts too
        await store.releaseLeases(owner);
        await Promise.all([...live.operators.values()].map((r) => r.close()));
        await rateLimitBackend.close();
        if (!options.store) await store.close();
      })();
      return stopping;
    },
  };
}
