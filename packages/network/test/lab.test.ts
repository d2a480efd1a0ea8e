/**
 * The lab, for real: namespaces, strongSwan on both ends, nftables, the simulators and the gateway.
 * Proves that recharges cross the tunnels (SA byte counters, ESP-in-UDP on the outside links), that
 * the cloud edge SNATs to a static source, that a tunnel cut under load fails over with every
 * recharge matching the ledger, and that `lab down` leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { isAlive, nsRun, which } from '../src/lab/exec.js';
import { type LabState, labNamespaces, readLabState } from '../src/lab/lab.js';
import { checkLedgers, failoverUnderLoad, rechargeBatch, socketRequest } from '../src/lab/lab-exercise.js';
import { type LabPlan, planLab } from '../src/lab/lab-plan.js';
import { readTunnelSas } from '../src/probes/vici-probe.js';
import { createViciClient } from '../src/vici/client.js';
import { type LabConfigCopy, labConfigCopy, mnogate, requireLab } from './helpers/lab.js';

const PREFIX = 'mnolt';

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('lab: tunnels, SNAT, failover, teardown', { ...requireLab(), timeout: 240_000 }, () => {
  let copy: LabConfigCopy;
  let plan: LabPlan;
  let key: string;
  let adminKey: string;
  let state: LabState | undefined;
  const started = Date.now();
  const ops = () =>
    plan.operators.map((p) => {
      const c = copy.config.operators.find((x) => x.id === p.id);
      return { id: p.id, prefix: c?.prefixes[0] ?? '', currency: c?.currency ?? '' };
    });

  before(async () => {
    await mnogate(['lab', 'down', '--prefix', PREFIX]); // a previous run interrupted
    copy = labConfigCopy();
    plan = planLab(copy.config, { prefix: PREFIX });
    // the gateway watches the tunnels through this run's cloud charon
    writeFileSync(copy.file, readFileSync(copy.file, 'utf8').replace('/run/mnolab/', `${plan.runDir}/`));
    const upRun = await mnogate(['lab', 'up', '--config', copy.file, '--prefix', PREFIX]);
    assert.equal(upRun.code, 0, `lab up failed:\n${upRun.stdout}\n${upRun.stderr}`);
    state = readLabState(plan.runDir);
    const k = await mnogate([
      'keys',
      'create',
      '--name',
      'lab-test',
      '--scopes',
      'recharge:write,recharge:read',
      '--config',
      copy.file,
      '--json',
    ]);
    assert.equal(k.code, 0, k.stderr);
    key = (JSON.parse(k.stdout) as { key: string }).key;
    const a = await mnogate([
      'keys',
      'create',
      '--name',
      'lab-ops',
      '--scopes',
      'admin',
      '--config',
      copy.file,
      '--json',
    ]);
    assert.equal(a.code, 0, a.stderr);
    adminKey = (JSON.parse(a.stdout) as { key: string }).key;
  });

  it("the gateway's health API shows each operator's two tunnels, read over VICI, one of them up", async () => {
    const health = await eventually(async () => {
      const res = await socketRequest(plan.gatewaySocket, 'GET', '/v1/admin/operators/health', undefined, {
        authorization: `Bearer ${adminKey}`,
      });
      const body = res.json as { operators: { id: string; tunnels: { name: string; up: boolean }[] }[] };
      return body.operators?.every((o) => o.tunnels.some((t) => t.up)) ? body : undefined;
    }, 20_000);
    for (const op of health.operators) {
      assert.deepEqual(
        op.tunnels.map((t) => t.name),
        [`${op.id}-tunnel1`, `${op.id}-tunnel2`],
      );
    }
  });
  after(async () => {
    await mnogate(['lab', 'down', '--prefix', PREFIX]);
    copy?.remove();
  });

  it('carries recharges through the tunnels: SA byte counters rise and the outside links see only ESP in UDP 4500', async (t) => {
    const vici = createViciClient({ socketPath: plan.cloudCharon.socketPath });
    const before = await readTunnelSas(vici);
    const capture = which('tcpdump')
      ? plan.operators.map((_, i) => {
          const p = spawn('ip', ['netns', 'exec', plan.inetNetns, 'tcpdump', '-nn', '-l', '-i', `e${i}`], {
            stdio: ['ignore', 'pipe', 'ignore'],
          });
          let out = '';
          p.stdout.on('data', (c: Buffer) => {
            out += c.toString();
          });
          return {
            stop: async () => {
              p.kill('SIGTERM');
              await new Promise((r) => p.once('exit', r));
              return out;
            },
          };
        })
      : [];
    await new Promise((r) => setTimeout(r, 500)); // tcpdump attaches
    for (const op of ops()) {
      const results = await rechargeBatch(plan, key, op, 5);
      assert.deepEqual(
        results.map((r) => r.status),
        ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded'],
        JSON.stringify(results),
      );
    }
    const afterSas = await readTunnelSas(vici);
    await vici.close();
    for (const op of plan.operators) {
      const sum = (sas: typeof before) =>
        sas.filter((s) => s.operatorId === op.id).reduce((n, s) => n + s.bytesIn + s.bytesOut, 0);
      assert.ok(sum(afterSas) > sum(before) + 1_000, `${op.id}: SA bytes ${sum(before)} -> ${sum(afterSas)}`);
    }
    if (capture.length === 0) {
      t.diagnostic(
        'tcpdump is not installed: the packet capture part was skipped (apt-get install -y tcpdump)',
      );
      return;
    }
    for (const [i, c] of capture.entries()) {
      const lines = (await c.stop()).split('\n').filter((l) => / IP /.test(l));
      const esp = lines.filter((l) => /\.4500 > .*\.4500: UDP-encap: ESP/.test(l));
      assert.ok(
        esp.length >= 10,
        `e${i}: expected ESP-in-UDP packets, saw:\n${lines.slice(0, 20).join('\n')}`,
      );
      const plain = lines.filter((l) => /\.(8080|8443)\b|HTTP|172\.20\.|10\.201\.|10\.60\./.test(l));
      assert.deepEqual(plain, [], `e${i}: plaintext on the outside link`);
      const other = lines.filter((l) => !/\.4500 > .*\.4500: (UDP-encap: ESP|NONESP-encap: isakmp)/.test(l));
      assert.deepEqual(other, [], `e${i}: packets other than IKE/ESP on port 4500`);
    }
  });

  it('admits only the whitelisted source at the operator edge; the cloud edge SNATs the VPC to the static source', async () => {
    const awcc = plan.operators.find((o) => o.id === 'awcc');
    const mtn = plan.operators.find((o) => o.id === 'mtn');
    assert.ok(awcc && mtn);
    const from = plan.gatewayListen.host; // not an egress address
    const snat = await nsRun(plan.gatewayNetns, 'curl', [
      '-s',
      '-m',
      '5',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--interface',
      from,
      `http://${awcc.apiHost}:${awcc.apiPort}/topupservice/service?wsdl`,
    ]);
    assert.equal(snat.stdout, '200', 'awcc via SNAT from the VPC');
    const blocked = await nsRun(plan.gatewayNetns, 'curl', [
      '-s',
      '-m',
      '2',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--interface',
      from,
      `http://${mtn.apiHost}:${mtn.apiPort}/topups`,
    ]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? 'error' }));
    assert.notEqual(blocked.stdout, '401', 'mtn must not answer a source outside its whitelist');
  });

  it('fails over to the standby tunnel when the active one is cut under load; every recharge matches the ledger', async (t) => {
    const mtn = ops().find((o) => o.id === 'mtn');
    assert.ok(mtn);
    const run = await failoverUnderLoad(plan, key, mtn, { cutAfterMs: 1_500, tailMs: 2_000, maxMs: 45_000 });
    assert.ok(run.failover, 'the monitor reported no failover');
    assert.equal(run.failover.to, run.cut === 0 ? 1 : 0);
    assert.ok(
      run.failover.outageMs !== null && run.failover.outageMs < 15_000,
      `outage ${run.failover.outageMs} ms`,
    );
    t.diagnostic(
      `failover: ${run.failover.reason}; outage (last good probe -> first good probe on the standby) ${run.failover.outageMs} ms; longest gap between successful recharges ${run.longestGapMs} ms; ${run.results.length} recharges under load`,
    );
    const statuses = new Set(run.results.map((r) => r.status ?? r.error));
    assert.ok(run.results.filter((r) => r.status === 'succeeded').length > 10, [...statuses].join(','));
    const checks = await checkLedgers(plan, key, { since: started });
    for (const c of checks) assert.ok(c.ok, JSON.stringify(c));
    const all = checks.find((c) => c.operatorId === 'mtn');
    assert.equal(all?.gateway.unknown ?? 0, 0);
    assert.equal(all?.gateway.pending ?? 0, 0);
  });

  it('lab down leaves no namespace, process or configuration behind', async () => {
    assert.ok(state && state.processes.length >= 8, 'the lab recorded its processes');
    const down = await mnogate(['lab', 'down', '--prefix', PREFIX]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(await labNamespaces(PREFIX), []);
    for (const p of state?.processes ?? [])
      assert.equal(isAlive(p.pid), false, `${p.name} (pid ${p.pid}) still runs`);
    assert.equal(existsSync(plan.runDir), false, `${plan.runDir} remains`);
  });
});
