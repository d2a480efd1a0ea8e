import { createStore, verifyAuditChain } from '@mnogate/gateway';
import { DEFAULT_CONFIG_PATH, parseCommandArgs, UsageError } from '../args.js';
import { loadConfigFile } from '../load-config.js';

export const summary = "verify the audit trail's hash chain (exit 1 at the first tampered entry)";
export const usage = `usage:
  mnogate audit verify [--config mnogate.yaml] [--json]

Walks the audit trail in the configured store from the first entry, recomputing each entry's hash
and its link to the one before, and reports the first entry that was edited, deleted or reordered.
Exit 0 when the chain is intact, 1 when it is not. Record the printed head hash somewhere outside the
database: a later verify that ends at another hash for that seq means the chain was rewritten.

  --config <file>   the configuration file whose store holds the trail (default: ${DEFAULT_CONFIG_PATH})
  --json            machine-readable output`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseCommandArgs(
    rest,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (sub !== 'verify') throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\n${usage}`);
  const { config, baseDir } = loadConfigFile(values.config);
  const store = createStore(config.gateway.store, { baseDir });
  try {
    await store.migrate();
    const result = await verifyAuditChain(store);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else if (result.ok) {
      const head = result.head ? `head ${result.head.seq} ${result.head.hash}` : 'empty';
      process.stdout.write(`audit trail intact: ${result.checked} entries, ${head}\n`);
    } else {
      const bad = result.firstBad!;
      process.stdout.write(
        `audit trail broken at entry ${bad.seq}: ${bad.problem} (${bad.message}); ${result.checked} entries before it are intact\n`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}
