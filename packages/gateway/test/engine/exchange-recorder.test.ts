/** The exchange recorder on a real loopback server: what it keeps, what it redacts, where it cuts. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { createExchangeRecorder, recorderFor } from '../../src/engine/exchange-recorder.js';

describe('exchange recorder', () => {
  let server: Server;
  let origin: string;
  const agent = new Agent({ connect: { timeout: 1_000 } });
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url?.startsWith('/big')) {
          res.writeHead(200, { 'content-type': 'text/xml', 'set-cookie': 'session=abc' });
          // the password element sits across the cut: redaction must see it whole
          res.end(`<r>${'x'.repeat(990)}<Password>hunter22</Password>${'y'.repeat(5_000)}</r>`);
          return;
        }
        if (req.url?.startsWith('/hang')) return; // never answers
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echoed: Buffer.concat(chunks).toString(), token: 'tok-secret-9' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });

  it('keeps method, URL, headers, bodies and timing, with credentials redacted by name and by value', async () => {
    const recorder = createExchangeRecorder(agent, 'recharge', {
      maxBodyBytes: 4_096,
      secretValues: ['s3cret-user', 'p@ss/word'],
    });
    const res = await request(`${origin}/topup?user=s3cret-user&password=pw1&ref=R1`, {
      method: 'POST',
      dispatcher: recorder.dispatcher,
      headers: { 'content-type': 'application/json', 'x-api-key': 'key-123', 'x-trace': 't-1' },
      body: JSON.stringify({ ref: 'R1', pass: 'p@ss/word', note: 'p%40ss%2Fword' }),
    });
    await res.body.text();
    const [x, ...rest] = recorder.take();
    assert.equal(rest.length, 0);
    assert.equal(x!.operation, 'recharge');
    assert.equal(x!.request.method, 'POST');
    assert.equal(x!.request.url, `${origin}/topup?user=[redacted]&password=[redacted]&ref=R1`);
    assert.equal(x!.request.headers['x-api-key'], '[redacted]');
    assert.equal(x!.request.headers['x-trace'], 't-1');
    assert.deepEqual(JSON.parse(x!.request.body), { ref: 'R1', pass: '[redacted]', note: '[redacted]' });
    assert.equal(x!.response?.statusCode, 200);
    assert.equal(x!.response?.headers['content-type'], 'application/json');
    const answer = JSON.parse(x!.response!.body) as { echoed: string; token: string };
    assert.equal(answer.token, '[redacted]');
    assert.ok(!answer.echoed.includes('p@ss/word'));
    assert.equal(x!.sent, true);
    assert.equal(x!.error, null);
    assert.ok(x!.durationMs !== null && x!.durationMs >= 0);
  });

  it('redacts before it cuts a long answer, and says it was cut', async () => {
    const recorder = createExchangeRecorder(agent, 'status', { maxBodyBytes: 1_000 });
    const res = await request(`${origin}/big`, { dispatcher: recorder.dispatcher });
    const full = await res.body.text();
    assert.ok(full.includes('hunter22'), 'the caller still gets the whole answer');
    const [x] = recorder.take();
    assert.equal(x!.response?.truncated, true);
    assert.equal(Buffer.byteLength(x!.response!.body), 1_000);
    // the cut falls inside <Password>: neither the whole nor a piece of the value is kept
    assert.ok(!x!.response!.body.includes('hunt'), x!.response!.body.slice(-40));
    assert.equal(x!.response?.headers['set-cookie'], '[redacted]');
    assert.equal(x!.request.truncated, false);
  });

  it('a refused connection: not sent, no answer, the error kept', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const recorder = createExchangeRecorder(agent, 'recharge', { maxBodyBytes: 1_000 });
    await assert.rejects(request(`http://127.0.0.1:${port}/x`, { dispatcher: recorder.dispatcher }));
    const [x] = recorder.take();
    assert.equal(x!.sent, false);
    assert.equal(x!.response, null);
    assert.match(x!.error ?? '', /ECONNREFUSED/);
  });

  it('a call abandoned without an answer: sent, unfinished, said so', async () => {
    const recorder = createExchangeRecorder(agent, 'recharge', { maxBodyBytes: 1_000 });
    const pending = request(`${origin}/hang`, {
      method: 'POST',
      body: '<a/>',
      dispatcher: recorder.dispatcher,
      signal: AbortSignal.timeout(200),
    });
    await assert.rejects(pending);
    const [x] = recorder.take();
    assert.equal(x!.sent, true);
    assert.equal(x!.response, null);
    assert.ok(x!.error);
  });

  it('recorderFor: nothing when recording is off', () => {
    const runtime = { dispatcher: agent, secretValues: [] };
    assert.equal(recorderFor({ record: false, maxBodyBytes: 1_000 }, runtime, 'recharge'), undefined);
    assert.ok(recorderFor({ record: true, maxBodyBytes: 1_000 }, runtime, 'recharge'));
  });
});
