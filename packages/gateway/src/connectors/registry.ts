/**
 * Picks an operator's connector: a built-in dialect by name, or a handler module named by path in
 * `api.dialect` (`./handlers/acme.js`), resolved against the config file's directory and exporting
 * `createConnector(options)`. A handler is wrapped so that whatever it does, the engine gets a valid
 * outcome: a handler that throws or answers nonsense after a recharge call yields `unknown`, because
 * it may already have sent the request.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Dialect, MnogateError, type OperatorConfig } from '@mnogate/core';
import type {
  CallContext,
  Connector,
  ConnectorFactory,
  ConnectorOptions,
  RechargeCall,
  RechargeOutcome,
  StatusOutcome,
} from './connector.js';
import { createErsConnector } from './ers/index.js';
import { createHuaweiCbsConnector } from './huawei-cbs/index.js';
import { createPretupsConnector } from './pretups/index.js';
import { createRestJsonConnector } from './rest-json/index.js';

export const BUILTIN_CONNECTORS: Readonly<Record<Dialect, ConnectorFactory>> = {
  ers: createErsConnector,
  pretups: createPretupsConnector,
  'huawei-cbs': createHuaweiCbsConnector,
  'rest-json': createRestJsonConnector,
};

export interface CreateConnectorOptions {
  readonly credentials: Readonly<Record<string, string>>;
  readonly now?: (() => Date) | undefined;
  /** Where handler module paths are resolved from: the config file's directory. @default process.cwd() */
  readonly baseDir?: string | undefined;
}

/** True when `dialect` names a handler module rather than a built-in dialect. */
export function isHandlerPath(dialect: string): boolean {
  return dialect.startsWith('./') || dialect.startsWith('../') || dialect.startsWith('/');
}

function configError(operator: OperatorConfig, message: string, cause?: unknown): MnogateError {
  return new MnogateError(
    'MNOGATE_ERR_CONFIG_SCHEMA',
    message,
    {
      operatorId: operator.id,
      path: `operators[id=${operator.id}].api.dialect`,
      dialect: operator.api.dialect,
    },
    cause === undefined ? undefined : { cause },
  );
}

const RECHARGE_STATUSES = new Set(['succeeded', 'failed', 'unknown']);
const STATUS_STATUSES = new Set(['succeeded', 'failed', 'pending', 'not-found', 'error']);

function isOutcome(value: unknown, allowed: Set<string>): boolean {
  return (
    typeof value === 'object' && value !== null && allowed.has(String((value as { status?: unknown }).status))
  );
}

/** Guard a handler module's connector so the engine always gets a well-formed outcome. */
function guardHandler(connector: Connector, name: string): Connector {
  return {
    dialect: typeof connector.dialect === 'string' ? connector.dialect : name,
    async recharge(call: RechargeCall, ctx: CallContext): Promise<RechargeOutcome> {
      try {
        const out: unknown = await connector.recharge(call, ctx);
        if (!isOutcome(out, RECHARGE_STATUSES)) {
          return {
            status: 'unknown',
            reason: 'unparseable',
            message: `handler ${name} returned no valid outcome`,
          };
        }
        const o = out as RechargeOutcome;
        // failed must say whether it was sent; a handler that does not say is taken as having sent.
        if (o.status === 'failed' && typeof o.sent !== 'boolean') return { ...o, sent: true };
        return o;
      } catch (err) {
        return {
          status: 'unknown',
          reason: 'unparseable',
          message: `handler ${name} threw: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    },
    async status(call: RechargeCall, ctx: CallContext): Promise<StatusOutcome> {
      try {
        const out: unknown = await connector.status(call, ctx);
        if (!isOutcome(out, STATUS_STATUSES)) {
          return { status: 'error', message: `handler ${name} returned no valid status` };
        }
        return out as StatusOutcome;
      } catch (err) {
        return {
          status: 'error',
          message: `handler ${name} threw: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    },
  };
}

/** The connector for an operator: its built-in dialect, or the handler module its config names. */
export async function createConnector(
  operator: OperatorConfig,
  options: CreateConnectorOptions,
): Promise<Connector> {
  const dialect = operator.api.dialect;
  const connectorOptions: ConnectorOptions = {
    operator,
    credentials: options.credentials,
    ...(options.now ? { now: options.now } : {}),
  };
  if (!isHandlerPath(dialect)) {
    const factory = (BUILTIN_CONNECTORS as Readonly<Record<string, ConnectorFactory>>)[dialect];
    if (!factory) throw configError(operator, `unknown dialect ${dialect} for operator ${operator.id}`);
    return factory(connectorOptions);
  }
  const file = isAbsolute(dialect) ? dialect : resolve(options.baseDir ?? process.cwd(), dialect);
  let mod: { createConnector?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { createConnector?: unknown };
  } catch (err) {
    throw configError(operator, `handler module ${dialect} (${file}) cannot be loaded`, err);
  }
  if (typeof mod.createConnector !== 'function') {
    throw configError(operator, `handler module ${dialect} does not export a createConnector function`);
  }
  let connector: unknown;
  try {
    connector = await (mod.createConnector as (o: ConnectorOptions) => unknown)(connectorOptions);
  } catch (err) {
    throw configError(operator, `handler module ${dialect} failed in createConnector`, err);
  }
  const c = connector as Partial<Connector> | null | undefined;
  if (!c || typeof c.recharge !== 'function' || typeof c.status !== 'function') {
    throw configError(
      operator,
      `handler module ${dialect}: createConnector must return { recharge, status } functions`,
    );
  }
  return guardHandler(c as Connector, dialect);
}
