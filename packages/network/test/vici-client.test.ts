/** The VICI client against a real charon-systemd, in a network namespace of this test. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createViciClient, type ViciClient, ViciError } from '../src/vici/client.js';
import { type CharonInstance, requireCapability, startCharon } from './helpers/charon.js';

describe('VICI client against charon', requireCapability('charon'), () => {
  let charon: CharonInstance;
  let vici: ViciClient;
  before(async () => {
    charon = await startCharon();
    vici = createViciClient({ socketPath: charon.socketPath, timeoutMs: 10_000 });
  });
  after(async () => {
    await vici?.close();
    await charon?.stop();
  });

  it('reads the daemon version and stats', async () => {
    const version = await vici.version();
    assert.equal(version.daemon, 'charon-systemd');
    assert.match(String(version.version), /^\d+\.\d+/);
    const stats = await vici.stats();
    assert.equal(typeof stats.ikesas, 'object');
    assert.ok(Array.isArray(stats.plugins) && stats.plugins.includes('kernel-libipsec'));
  });

  it('streams list-sas as list-sa events: none yet', async () => {
    assert.deepEqual(await vici.listSas(), []);
    const { events, response } = await vici.streamed('list-sas', 'list-sa', { noblock: true });
    assert.deepEqual(events, []);
    assert.deepEqual(response, {});
  });

  it('loads a connection and a shared key, then lists it', async () => {
    await vici.loadConn('vici-test', {
      version: 2,
      local_addrs: ['127.0.0.1'],
      remote_addrs: ['127.0.0.2'],
      proposals: ['aes256-sha256-modp2048'],
      local: { auth: 'psk', id: '127.0.0.1' },
      remote: { auth: 'psk', id: '127.0.0.2' },
      children: {
        'vici-test-child': {
          local_ts: ['10.99.1.0/24'],
          remote_ts: ['10.99.2.0/24'],
          esp_proposals: ['aes256-sha256-modp2048'],
          start_action: 'none',
        },
      },
    });
    await vici.loadShared({ type: 'IKE', data: 'a-test-secret', owners: ['127.0.0.1', '127.0.0.2'] });
    const conns = await vici.listConns();
    const conn = conns.find((c) => 'vici-test' in c)?.['vici-test'];
    assert.ok(conn && typeof conn === 'object' && !Array.isArray(conn), JSON.stringify(conns));
    assert.deepEqual(conn.local_addrs, ['127.0.0.1']);
    const children = conn.children as Record<string, Record<string, string[]>>;
    assert.deepEqual(children['vici-test-child']?.['local-ts'], ['10.99.1.0/24']);
    assert.equal((await vici.listConns({ ike: 'no-such-conn' })).length, 0);
  });

  it('refuses a bad connection with VICI_FAILED and an unknown command with VICI_UNKNOWN_COMMAND', async () => {
    await assert.rejects(
      vici.loadConn('bad', { proposals: ['no-such-algorithm'] }),
      (e) => e instanceof ViciError && e.code === 'VICI_FAILED',
    );
    await assert.rejects(
      vici.request('no-such-command'),
      (e) => e instanceof ViciError && e.code === 'VICI_UNKNOWN_COMMAND',
    );
    await assert.rejects(
      vici.terminate({ ike: 'nothing-up', timeoutMs: 1_000 }),
      (e) => e instanceof ViciError && e.code === 'VICI_FAILED',
    );
  });

  it('registers for ike-updown and child-updown (confirmed) and unregisters', async () => {
    const seen: string[] = [];
    const offIke = await vici.on('ike-updown', (_m, name) => seen.push(name));
    const offChild = await vici.on('child-updown', (_m, name) => seen.push(name));
    await assert.rejects(
      vici.on('no-such-event', () => undefined),
      (e) => e instanceof ViciError && e.code === 'VICI_UNKNOWN_EVENT',
    );
    // commands still work while registered
    assert.equal((await vici.version()).daemon, 'charon-systemd');
    await offIke();
    await offChild();
    assert.deepEqual(seen, []);
  });

  it('serialises concurrent requests on one connection', async () => {
    const results = await Promise.all([
      vici.version(),
      vici.stats(),
      vici.listSas(),
      vici.listConns(),
      vici.version(),
    ]);
    assert.equal(results[0].daemon, 'charon-systemd');
    assert.equal(results[4].daemon, 'charon-systemd');
    assert.ok(Array.isArray(results[3]));
  });

  it('reports VICI_CONNECT for a socket nobody listens on', async () => {
    const other = createViciClient({ socketPath: `${charon.dir}/nobody.vici` });
    await assert.rejects(other.version(), (e) => e instanceof ViciError && e.code === 'VICI_CONNECT');
    await other.close();
  });
});
