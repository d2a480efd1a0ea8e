/**
 * TLS and mutual TLS on the listener, with a CA, a server and a client certificate made by the
 * openssl CLI at test time. With a CA in the config, a client without a certificate is refused.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Harness, startHarness } from '../harness.js';

const OPENSSL_MISSING =
  spawnSync('openssl', ['version']).status === 0
    ? null
    : 'openssl is not installed: apt-get install -y openssl';
// in CI a missing openssl is a failure, not a skip
if (OPENSSL_MISSING && process.env.CI === 'true') throw new Error(`${OPENSSL_MISSING}; CI must provide it`);
const dir = mkdtempSync(join(tmpdir(), 'mnogate-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** ca.pem, server.pem (SAN IP:127.0.0.1), client.pem; each with its -key.pem. */
function makeCertificates(): void {
  const days = ['-days', '2'];
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    ...days,
    '-subj',
    '/CN=mnogate test CA',
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    );
    execFileSync('sh', ['-c', `printf '${ext}\\n' > ${name}.ext`], { cwd: dir });
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      ...days,
      '-extfile',
      `${name}.ext`,
    );
  }
}

const file = (name: string) => readFileSync(join(dir, name));

function get(
  port: number,
  options: { cert?: Buffer; key?: Buffer } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', method: 'GET', ca: file('ca.pem'), ...options },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS on the listener', { skip: OPENSSL_MISSING ?? false }, () => {
  let tls: Harness | undefined;
  let mtls: Harness | undefined;
  after(async () => {
    await tls?.close();
    await mtls?.close();
  });

  it('serves HTTPS with the configured certificate', async () => {
    makeCertificates();
    tls = await startHarness({
      background: false,
      edit: (c) => {
        c.gateway.listen.tls = { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server-key.pem') };
      },
    });
    const port = (tls.gateway.app.server.address() as AddressInfo).port;
    const res = await get(port);
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).status, 'ok');
  });

  it('with a CA (mutual TLS) refuses a client without a certificate and serves one with it', async () => {
    mtls = await startHarness({
      background: false,
      edit: (c) => {
        c.gateway.listen.tls = {
          certFile: join(dir, 'server.pem'),
          keyFile: join(dir, 'server-key.pem'),
          caFile: join(dir, 'ca.pem'),
        };
      },
    });
    const port = (mtls.gateway.app.server.address() as AddressInfo).port;
    await assert.rejects(get(port), (err: NodeJS.ErrnoException) => {
      assert.match(`${err.code} ${err.message}`, /ECONNRESET|certificate|handshake|alert/i);
      return true;
    });
    const res = await get(port, { cert: file('client.pem'), key: file('client-key.pem') });
    assert.equal(res.status, 200);
    // a certificate from another CA is refused too
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'rogue-key.pem',
      '-out',
      'rogue.pem',
      '-days',
      '2',
      '-subj',
      '/CN=rogue',
    );
    await assert.rejects(get(port, { cert: file('rogue.pem'), key: file('rogue-key.pem') }));
  });
});
