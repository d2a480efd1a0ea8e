/**
 * strongSwan itself accepts the rendered swanctl.conf: a charon-systemd in a network namespace of
 * this test loads every operator's configuration, both sides, and lists both connections.
 * The aws example's addresses are only rendered and loaded: the namespace has nothing but `lo`, and
 * nothing is initiated.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderSwanctlConf, swanctlConnectionNames } from '../src/render/swanctl-conf.js';
import { type CharonInstance, requireCapability, startCharon } from './helpers/charon.js';
import { loadExample } from './helpers/config.js';

const aws = loadExample('aws');

describe('swanctl --load-all accepts the rendered swanctl.conf', requireCapability('charon'), () => {
  let charon: CharonInstance;
  before(async () => {
    charon = await startCharon();
  });
  after(async () => {
    await charon?.stop();
  });

  it('answers on its private VICI socket', async () => {
    const { stdout } = await charon.swanctl(['--version', '--daemon']);
    assert.match(stdout, /charon-systemd/);
  });

  for (const op of aws.operators) {
    for (const side of ['peer', 'cloud'] as const) {
      it(`loads ${op.id} (${side} side) and lists both connections`, async () => {
        const file = join(charon.dir, `${op.id}-${side}.swanctl.conf`);
        writeFileSync(
          file,
          renderSwanctlConf(aws, op.id, {
            side,
            psk: ['placeholder-psk-one', 'placeholder-psk-two'],
            // never initiate towards the example's addresses, even inside the namespace
            startAction: 'none',
          }),
        );
        const load = await charon
          .swanctl(['--load-all', '--file', file])
          .catch((err: { stdout?: string; stderr?: string }) => {
            assert.fail(
              `swanctl --load-all failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}\n${charon.log()}`,
            );
          });
        assert.match(load.stdout, /successfully loaded 2 connections/);
        assert.match(load.stdout, new RegExp(`loaded ike secret 'ike-${op.id}-tunnel2'`));
        // only the credential folders next to the file may be reported missing
        const problems = `${load.stdout}${load.stderr}`
          .split('\n')
          .filter((l) => /fail|error|invalid|unable/i.test(l) && !/^opening directory .* failed/.test(l));
        assert.deepEqual(problems, []);
        const { stdout } = await charon.swanctl(['--list-conns']);
        for (const name of swanctlConnectionNames(op.id)) {
          assert.match(stdout, new RegExp(`^${name.ike}: IKEv`, 'm'), stdout);
          assert.match(stdout, new RegExp(`^\\s+${name.child}: TUNNEL`, 'm'), stdout);
        }
      });
    }
  }

  it('loads the default start actions too (peer side: nothing to initiate to)', async () => {
    const file = join(charon.dir, 'etisalat-default.swanctl.conf');
    writeFileSync(file, renderSwanctlConf(aws, 'etisalat', { psk: ['a-secret-1', 'a "quoted" secret'] }));
    const load = await charon.swanctl(['--load-all', '--file', file]);
    assert.match(load.stdout, /successfully loaded 2 connections/);
    assert.match(load.stdout, /loaded ike secret 'ike-etisalat-tunnel2'/);
  });
});
