import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createGateway, createStore, generateApiKey, hashApiKey, parseStoreUrl } from '@mnogate/gateway';
import { createSecretsProvider, resolveOperatorCredentials } from '@mnogate/gateway/secrets';
import { createSimulators } from '@mnogate/simulator';
import { parseCommandArgs } from '../args.js';
import { loadConfigFile } from '../load-config.js';
import { onShutdownSignal } from '../signals.js';

const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;
export const DEMO_CONFIG = join(REPO_ROOT, 'examples/demo/mnogate.yaml');

export const summary =
  'run the demo: simulated operators, the gateway and the console on SQLite (what `npm start` runs)';
export const usage = `usage: mnogate demo [--config examples/demo/mnogate.yaml]

Starts every operator's simulator and the gateway from the demo configuration, on SQLite (the
store the configuration names, ./data/mnogate.db for the demo). On the first run it creates two API
keys, a client's (recharge:write, recharge:read) and an admin's, and keeps them in
demo-keys.json beside the database so later runs print the same keys. Prints where everything
listens and a curl command that performs a recharge. Stop with Ctrl-C.

  --config <file>  the configuration to run (default: examples/demo/mnogate.yaml)`;

interface DemoKeys {
  readonly client: string;
  readonly admin: string;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { config: { type: 'string', default: DEMO_CONFIG } }, usage);
  const { config, baseDir } = loadConfigFile(values.config);
  const location = parseStoreUrl(config.gateway.store, baseDir);
  const dataDir =
    location.backend === 'sqlite' && location.path !== ':memory:' ? dirname(location.path) : resolve('data');
  mkdirSync(dataDir, { recursive: true });

  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('mnogate demo: starting the simulated operators');
  const provider = createSecretsProvider(config.gateway.secrets, { baseDir, env: process.env });
  const credentials: Record<string, Record<string, string>> = {};
  for (const op of config.operators) credentials[op.id] = await resolveOperatorCredentials(provider, op);
  const simulators = createSimulators(config, { credentials });
  const started = await simulators.start();

  say('mnogate demo: preparing the store and the demo API keys');
  const keys = await demoKeys(config.gateway.store, baseDir, join(dataDir, 'demo-keys.json'));
  say('mnogate demo: starting the gateway');
  const gateway = await createGateway({
    config,
    baseDir,
    configFile: resolve(values.config),
    env: process.env,
  });
  const address = await gateway.listen();

  const msisdn = `${config.operators[0]?.prefixes[0] ?? '+9370'}1234567`.slice(0, 12);
  const amount =
    config.operators[0]?.products[0]?.range?.min ??
    config.operators[0]?.products[0]?.denominations?.[0] ??
    '100';
  say('');
  say(`gateway    ${address}   (API docs: ${address}/docs, console: ${address}/console)`);
  for (const op of started.operators)
    say(`operator   ${op.id.padEnd(10)} ${op.dialect.padEnd(11)} ${op.url}`);
  say(`simulator control API   ${started.controlUrl}`);
  say(`data       ${dataDir}`);
  say('');
  say(`client API key (recharge:write, recharge:read): ${keys.client}`);
  say(`admin API key  (admin):                         ${keys.admin}`);
  say('');
  say('Recharge a phone:');
  say(
    `curl -s ${address}/v1/recharges -H 'Authorization: Bearer ${keys.client}' -H "Idempotency-Key: demo-$(date +%s%N)" -H 'Content-Type: application/json' -d '{"msisdn":"${msisdn}","amount":"${amount}","currency":"${config.operators[0]?.currency ?? 'AFN'}"}'`,
  );
  say('');
  say(
    'Numbers ending in 901 are refused, 911 are credited but never answered (see docs/simulator.md). Ctrl-C stops.',
  );

  await onShutdownSignal();
  say('mnogate demo: stopping');
  await gateway.stop();
  await simulators.stop();
  return 0;
}

/** The demo's keys: made once and kept in plain text beside the demo database (demo only). */
async function demoKeys(storeUrl: string, baseDir: string, file: string): Promise<DemoKeys> {
  const store = createStore(storeUrl, { baseDir });
  try {
    await store.migrate();
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoKeys;
      const found = await store.findApiKeyByHash(hashApiKey(saved.client));
      if (found && found.revokedAt === null) return saved;
    }
    const client = generateApiKey({
      clientId: 'demo-fintech',
      name: 'demo-fintech',
      scopes: ['recharge:write', 'recharge:read'],
    });
    const admin = generateApiKey({ clientId: 'demo-ops', name: 'demo-ops', scopes: ['admin'] });
    await store.createApiKey(client.record);
    await store.createApiKey(admin.record);
    const keys = { client: client.key, admin: admin.key };
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`);
    chmodSync(file, 0o600);
    return keys;
  } finally {
    await store.close();
  }
}
