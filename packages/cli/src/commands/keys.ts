import { createStore, generateApiKey, parseScopes } from '@mnogate/gateway';
import { DEFAULT_CONFIG_PATH, parseCommandArgs, UsageError } from '../args.js';
import { loadConfigFile } from '../load-config.js';

export const summary = 'create, list and revoke API keys (the key is printed once; only its hash is stored)';
export const usage = `usage:
  mnogate keys create --name <client> --scopes <s1,s2> [--webhook-url <url>] [--config mnogate.yaml] [--json]
  mnogate keys list [--client <client>] [--config mnogate.yaml] [--json]
  mnogate keys revoke <key id> [--config mnogate.yaml]

Scopes: recharge:write, recharge:read, admin (implies all), metrics. A client may hold several
active keys at once (create the new one, move traffic, revoke the old one). With --webhook-url,
final recharge states are POSTed there, signed with a secret printed once at creation.

  --name <client>        the API client the key belongs to
  --scopes <list>        comma-separated scopes
  --webhook-url <url>    where this client's webhooks go
  --client <client>      list only this client's keys
  --config <file>        the configuration file whose store holds the keys (default: ${DEFAULT_CONFIG_PATH})
  --json                 machine-readable output`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      name: { type: 'string' },
      scopes: { type: 'string' },
      'webhook-url': { type: 'string' },
      client: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    usage,
    true,
  );
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke')
    throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\n${usage}`);
  const { config, baseDir } = loadConfigFile(values.config);
  const store = createStore(config.gateway.store, { baseDir });
  try {
    await store.migrate();
    if (sub === 'create') {
      if (!values.name || !values.scopes)
        throw new UsageError(`keys create needs --name and --scopes\n\n${usage}`);
      let scopes: ReturnType<typeof parseScopes>;
      try {
        scopes = parseScopes(values.scopes);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const webhookUrl = values['webhook-url'];
      if (webhookUrl !== undefined && !/^https?:\/\//.test(webhookUrl))
        throw new UsageError('--webhook-url must be http(s)://...');
      const { key, record } = generateApiKey({
        clientId: values.name,
        name: values.name,
        scopes,
        webhookUrl: webhookUrl ?? null,
      });
      await store.createApiKey(record);
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ id: record.id, client: record.clientId, scopes, key, webhookSecret: record.webhookSecret })}\n`,
        );
      } else {
        process.stdout.write(`created ${record.id} for ${record.clientId} (${scopes.join(', ')})\n`);
        process.stdout.write(`key: ${key}\n`);
        if (record.webhookSecret) process.stdout.write(`webhook signing secret: ${record.webhookSecret}\n`);
        process.stdout.write('store it now: it is not shown again.\n');
      }
      return 0;
    }
    if (sub === 'list') {
      const keys = await store.listApiKeys(values.client);
      const rows = keys.map((k) => ({
        id: k.id,
        client: k.clientId,
        scopes: k.scopes,
        webhookUrl: k.webhookUrl,
        createdAt: new Date(k.createdAt).toISOString(),
        revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
      }));
      if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else
        for (const r of rows) {
          process.stdout.write(
            `${r.id}  ${r.client.padEnd(16)} ${r.scopes.join(',').padEnd(30)} ${r.revokedAt ? `revoked ${r.revokedAt}` : 'active'}\n`,
          );
        }
      return 0;
    }
    const id = positionals[0];
    if (!id) throw new UsageError(`keys revoke needs a key id\n\n${usage}`);
    const revoked = await store.revokeApiKey(id, Date.now());
    process.stdout.write(revoked ? `revoked ${id}\n` : `no active key ${id}\n`);
    return revoked ? 0 : 1;
  } finally {
    await store.close();
  }
}
