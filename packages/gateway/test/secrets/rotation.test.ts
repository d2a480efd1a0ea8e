/**
 * A rotated secret is picked up without a restart: the file provider's credentials are read again
 * every refreshMs, and the operator whose secret changed gets a new runtime (audited), while the
 * others keep theirs. Proven on the wire: with a wrong password the operator refuses, with the right
 * one it credits again.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_DIR, eventually, type Harness, numberFor, startHarness } from '../harness.js';

describe('secret rotation', () => {
  let h: Harness;
  const secretsDir = mkdtempSync(join(tmpdir(), 'mnogate-rotation-'));
  const mtnSecret = join(secretsDir, 'mtn-api');
  before(async () => {
    cpSync(join(DEMO_DIR, 'secrets'), secretsDir, { recursive: true });
    h = await startHarness({
      afterSimulators: (config) => {
        config.gateway.secrets = { provider: 'file', dir: secretsDir, refreshMs: 100 };
      },
    });
  });
  after(async () => {
    await h?.close();
    rmSync(secretsDir, { recursive: true, force: true });
  });

  const recharge = async () => {
    const res = await h.gateway.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers: { authorization: `Bearer ${h.keys.client}`, 'idempotency-key': `rot-${Math.random()}` },
      payload: { msisdn: numberFor('+9377'), amount: '50', currency: 'AFN' },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { status: string; failure?: { code: string; operatorCode?: string } };
  };

  it('uses a rotated secret at the next refresh, for that operator only, and audits it', async () => {
    const good = readFileSync(mtnSecret, 'utf8');
    const mtnBefore = h.gateway.operators().get('mtn');
    const awccBefore = h.gateway.operators().get('awcc');
    assert.equal((await recharge()).status, 'succeeded');

    // the operator's key is rotated to one the operator does not know
    writeFileSync(mtnSecret, JSON.stringify({ apiKey: 'rotated-but-not-at-the-operator' }));
    await eventually(async () => (h.gateway.operators().get('mtn') !== mtnBefore ? true : undefined), 5_000);
    assert.equal(h.gateway.operators().get('awcc'), awccBefore, 'an unchanged operator keeps its runtime');
    const refused = await recharge();
    assert.equal(refused.status, 'failed', 'the new key is the one sent');
    assert.equal(refused.failure?.code, 'MNOGATE_ERR_OPERATOR_REJECTED');

    // rotated back: credits again, without a restart
    const rotatedOnce = h.gateway.operators().get('mtn');
    writeFileSync(mtnSecret, good);
    await eventually(
      async () => (h.gateway.operators().get('mtn') !== rotatedOnce ? true : undefined),
      5_000,
    );
    assert.equal((await recharge()).status, 'succeeded');

    const audit = await h.gateway.store.listAudit({ action: 'secrets.rotate' }, 10);
    assert.equal(audit.items.length, 2);
    assert.ok(audit.items.every((e) => e.subject === 'mtn' && !JSON.stringify(e).includes('rotated-but')));
  });

  it('a secret that cannot be read keeps the running runtime', async () => {
    const running = h.gateway.operators().get('mtn');
    const good = readFileSync(mtnSecret, 'utf8');
    rmSync(mtnSecret);
    try {
      await assert.rejects(h.gateway.refreshCredentials(), /MNOGATE_ERR_SECRET_MISSING|cannot be read/);
      assert.equal(h.gateway.operators().get('mtn'), running);
      assert.equal((await recharge()).status, 'succeeded');
    } finally {
      writeFileSync(mtnSecret, good);
    }
  });
});
