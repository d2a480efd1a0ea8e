import { resolve } from 'node:path';
import { createGateway } from '@mnogate/gateway';
import { DEFAULT_CONFIG_PATH, parseCommandArgs } from '../args.js';
import { loadConfigFile } from '../load-config.js';
import { onShutdownSignal } from '../signals.js';

export const summary = 'run the gateway: the recharge API, the reconciler and the webhook outbox';
export const usage = `usage: mnogate serve [--config mnogate.yaml] [--host <addr>] [--port <n>] [--operator <id>]

Starts the gateway on the configuration's store (SQLite or PostgreSQL), applies pending migrations,
and listens on gateway.listen (or --host/--port). SIGINT or SIGTERM stop it gracefully: new
recharges are refused, in-flight operator calls finish and are persisted, leases are released.
SIGHUP reloads the configuration file without a restart (validated first; a bad file is refused
and the running configuration stays), as POST /v1/admin/config/reload does.
Secrets for the env provider come from this process's environment.

With --operator (or MNOGATE_OPERATOR_ID, which the AWS deployment sets on each operator's gateway),
the gateway fronts that one operator: it builds only that operator's egress and reads only its
secrets, reconciles only its recharges, refuses another operator's number with 421
MNOGATE_ERR_ROUTE_OTHER_GATEWAY, and also serves its API under /operators/<id>/ (the load
balancer's path rule). MNOGATE_SUBNET_PARAMETER, when set, is logged at start.
MNOGATE_CLOUDWATCH_NAMESPACE (set by the CDK) turns on CloudWatch metrics in that namespace: one
embedded-metric-format line per operator a minute on stdout, as gateway.cloudwatchMetrics does.

  --config <file>    the configuration file (default: ${DEFAULT_CONFIG_PATH})
  --host <addr>      override gateway.listen.host
  --port <n>         override gateway.listen.port
  --operator <id>    front only this operator (default: MNOGATE_OPERATOR_ID, else every operator)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      host: { type: 'string' },
      port: { type: 'string' },
      operator: { type: 'string' },
    },
    usage,
  );
  const { config, baseDir } = loadConfigFile(values.config);
  const configFile = resolve(values.config);
  const operatorScope = values.operator || process.env.MNOGATE_OPERATOR_ID || undefined;
  const gateway = await createGateway({
    config,
    baseDir,
    configFile,
    env: process.env,
    ...(operatorScope ? { operatorScope } : {}),
    ...(process.env.MNOGATE_CLOUDWATCH_NAMESPACE
      ? { cloudwatchNamespace: process.env.MNOGATE_CLOUDWATCH_NAMESPACE }
      : {}),
  });
  // SIGHUP: reload the configuration file; a bad one is refused and the running one stays
  process.on('SIGHUP', () => {
    gateway.reloadConfig(undefined, 'signal:SIGHUP').then(
      (r) =>
        gateway.logger.info(
          { changes: r.changes.length, restartRequired: r.restartRequired },
          'SIGHUP: configuration reloaded',
        ),
      (err: unknown) => gateway.logger.error({ err }, 'SIGHUP: configuration refused; the running one stays'),
    );
  });
  const address = await gateway.listen({
    ...(values.host ? { host: values.host } : {}),
    ...(values.port ? { port: Number(values.port) } : {}),
  });
  gateway.logger.info(
    {
      address,
      operators: gateway.operators().size,
      owner: gateway.owner,
      ...(operatorScope
        ? {
            operatorScope,
            pathPrefix: `/operators/${operatorScope}`,
            subnetParameter: process.env.MNOGATE_SUBNET_PARAMETER,
          }
        : {}),
    },
    'mnogate gateway listening',
  );
  await onShutdownSignal();
  gateway.logger.info('stopping: finishing in-flight recharges');
  await gateway.stop();
  return 0;
}
