/**
 * `mnogate lab test`: up, recharges for every operator through the real tunnels, the active tunnel
 * of one operator cut under load (failover by the monitor), the ledgers compared, down.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  checkLedgers,
  createViciClient,
  failoverUnderLoad,
  labDown,
  readTunnelSas,
  rechargeBatch,
} from '@mnogate/network';
import { up } from '../commands/lab.js';
import { loadConfigFile } from '../load-config.js';

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/mnogate.js', import.meta.url));

export interface LabTestOptions {
  readonly configPath: string;
  readonly prefix: string;
  readonly recharges: number;
  readonly keep: boolean;
  readonly say: (line: string) => void;
}

/** Creates an API key in the lab config's store with `mnogate keys create`. */
export async function createLabKey(configPath: string): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [
    BIN,
    'keys',
    'create',
    '--name',
    `lab-${process.pid}`,
    '--scopes',
    'recharge:write,recharge:read',
    '--config',
    configPath,
    '--json',
  ]);
  return (JSON.parse(stdout) as { key: string }).key;
}

export async function labTest(o: LabTestOptions): Promise<number> {
  const file = resolve(o.configPath);
  const { config } = loadConfigFile(file);
  let ok = true;
  const check = (pass: boolean, line: string) => {
    ok &&= pass;
    o.say(`${pass ? '✔' : '✘'} ${line}`);
  };
  const started = Date.now();
  const plan = await up(file, o.prefix, { gateway: true, monitor: true }, o.say);
  try {
    const key = await createLabKey(file);
    const ops = plan.operators.map((p) => {
      const c = config.operators.find((x) => x.id === p.id);
      return { id: p.id, prefix: c?.prefixes[0] ?? '', currency: c?.currency ?? '' };
    });
    const vici = createViciClient({ socketPath: plan.cloudCharon.socketPath });
    const bytes = async () => (await readTunnelSas(vici)).reduce((n, s) => n + s.bytesIn + s.bytesOut, 0);
    const before = await bytes();
    for (const op of ops) {
      const results = await rechargeBatch(plan, key, op, o.recharges);
      const good = results.filter((r) => r.status === 'succeeded').length;
      check(
        good === results.length,
        `${op.id}: ${good}/${results.length} recharges succeeded through the tunnel`,
      );
    }
    const after = await bytes();
    await vici.close();
    check(after > before, `the cloud edge's SA byte counters rose by ${after - before} B`);

    const target = ops[0];
    if (target) {
      o.say(`cutting ${target.id}'s active tunnel under load...`);
      const f = await failoverUnderLoad(plan, key, target);
      check(
        f.failover !== undefined,
        `${target.id}: failover from tunnel ${f.cut + 1} to tunnel ${(f.failover?.to ?? 0) + 1}: ${f.failover?.reason ?? 'none seen'}`,
      );
      o.say(
        `  outage seen by the monitor: ${f.failover?.outageMs ?? '?'} ms; first recharge sent after the cut succeeded ${f.recoveredAfterMs ?? '?'} ms after it; longest gap between successes ${f.longestGapMs} ms; ${f.results.length} recharges during the run`,
      );
    }
    o.say('waiting for pending recharges to settle, then comparing the ledgers...');
    for (const c of await checkLedgers(plan, key, { since: started })) {
      check(
        c.ok,
        `${c.operatorId}: gateway ${JSON.stringify(c.gateway)}, ledger credited ${c.credited}, missing in ledger ${c.missingInLedger.length}, missing in gateway ${c.missingInGateway.length}, duplicates ${c.duplicates}`,
      );
    }
  } finally {
    if (!o.keep) await labDown({ prefix: o.prefix, progress: o.say });
  }
  o.say(ok ? 'lab test passed' : 'lab test FAILED');
  return ok ? 0 : 1;
}
