import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent, errors } from 'undici';
import { classifyTransportError, httpCall } from '../../src/connectors/http-call.js';
import {
  closedPort,
  ctxFor,
  hang,
  reply,
  resetAfterBody,
  type ScriptedServer,
  startScriptedServer,
  testAgent,
} from './helpers.js';

describe('httpCall: the not-sent / sent boundary', () => {
  let server: ScriptedServer;
  const agent = testAgent();
  before(async () => {
    server = await startScriptedServer([
      reply(200, 'hello'),
      reply(503, 'busy'),
      hang(),
      resetAfterBody(),
      (_req, res) => {
        // headers, then the body never finishes
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      },
    ]);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  it('returns the response, whatever its status', async () => {
    const ok = await httpCall(ctxFor(server.url, agent), {
      method: 'POST',
      url: `${server.url}/x?a=1`,
      body: 'ping',
      headers: { 'x-test': 'yes' },
    });
    assert.deepEqual(ok.kind === 'response' && [ok.statusCode, ok.body], [200, 'hello']);
    assert.equal(server.requests[0]?.body, 'ping');
    assert.equal(server.requests[0]?.headers['x-test'], 'yes');
    assert.equal(server.requests[0]?.url.searchParams.get('a'), '1');
    const busy = await httpCall(ctxFor(server.url, agent), { method: 'GET', url: server.url });
    assert.deepEqual(busy.kind === 'response' && [busy.statusCode, busy.body], [503, 'busy']);
  });

  it('a request that got no answer in time is a timeout (it was sent)', async () => {
    const started = Date.now();
    const r = await httpCall(ctxFor(server.url, agent, 150), { method: 'POST', url: server.url, body: 'x' });
    assert.equal(r.kind, 'timeout');
    assert.ok(Date.now() - started < 2_000);
  });

  it('a connection destroyed after the request is a reset', async () => {
    const r = await httpCall(ctxFor(server.url, agent), { method: 'POST', url: server.url, body: 'x' });
    assert.equal(r.kind, 'reset');
  });

  it('a body that never finishes is a timeout', async () => {
    const r = await httpCall(ctxFor(server.url, agent, 150), { method: 'GET', url: server.url });
    assert.equal(r.kind, 'timeout');
  });

  it('a refused connection is not-sent with CONNECT_REFUSED', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/`;
    const r = await httpCall(ctxFor(url, agent), { method: 'POST', url, body: 'x' });
    assert.deepEqual(r.kind === 'not-sent' && r.code, 'CONNECT_REFUSED');
  });

  it('a connection that never completes before the total timeout is not-sent', async () => {
    // Connecting takes far longer than the call may: undici never gets a socket, so no byte can
    // have been written, and the call must end at its own deadline, not the connector's.
    const stuck = new Agent({
      connect: (_opts, cb) => {
        setTimeout(() => cb(new errors.ConnectTimeoutError(), null), 1_000);
      },
    });
    const started = Date.now();
    try {
      const r = await httpCall(ctxFor('http://127.0.0.1:9/', stuck, 100), {
        method: 'POST',
        url: 'http://127.0.0.1:9/',
        body: 'x',
      });
      assert.deepEqual(r.kind === 'not-sent' && r.code, 'CONNECT_TIMEOUT');
      assert.ok(Date.now() - started < 800, 'ended at the call deadline');
    } finally {
      await stuck.destroy();
    }
  });

  it('a connection that completes after the deadline never carries the abandoned request', async () => {
    const late = await startScriptedServer([reply(200, 'should never be asked')]);
    const slow = new Agent({
      connect: (_opts, cb) => {
        setTimeout(() => {
          const socket = connect({ host: '127.0.0.1', port: late.port });
          socket.once('connect', () => cb(null, socket));
          socket.once('error', (err) => cb(err, null));
        }, 200);
      },
    });
    try {
      const r = await httpCall(ctxFor(late.url, slow, 80), { method: 'POST', url: late.url, body: 'x' });
      assert.equal(r.kind, 'not-sent');
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(late.requests.length, 0, 'the operator never saw the abandoned request');
    } finally {
      await slow.destroy();
      await late.close();
    }
  });

  it("the caller's abort: before anything was written it is not-sent, after it is ambiguous", async () => {
    const pre = new AbortController();
    pre.abort(new Error('shutting down'));
    const before = await httpCall(
      { ...ctxFor(server.url, agent), signal: pre.signal },
      { method: 'POST', url: server.url, body: 'x' },
    );
    assert.deepEqual(before.kind === 'not-sent' && before.code, 'ABORTED');
    const seenBefore = server.requests.length;
    const late = await startScriptedServer([hang()]);
    try {
      const mid = new AbortController();
      const pending = httpCall(
        { ...ctxFor(late.url, agent, 5_000), signal: mid.signal },
        { method: 'POST', url: late.url, body: 'x' },
      );
      while (late.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      mid.abort(new Error('shutting down'));
      assert.equal((await pending).kind, 'timeout');
    } finally {
      await late.close();
    }
    assert.equal(server.requests.length, seenBefore, 'the pre-aborted call never reached the server');
  });

  it("undici's own connect timeout is not-sent with CONNECT_TIMEOUT", async () => {
    const timingOut = new Agent({
      connect: (_opts, cb) => {
        setTimeout(() => cb(new errors.ConnectTimeoutError(), null), 10);
      },
    });
    try {
      const r = await httpCall(ctxFor('http://127.0.0.1:9/', timingOut, 1_000), {
        method: 'POST',
        url: 'http://127.0.0.1:9/',
        body: 'x',
      });
      assert.deepEqual(r.kind === 'not-sent' && r.code, 'CONNECT_TIMEOUT');
    } finally {
      await timingOut.destroy();
    }
  });
});

describe('classifyTransportError', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  for (const [code, expected] of [
    ['ECONNREFUSED', 'CONNECT_REFUSED'],
    ['UND_ERR_CONNECT_TIMEOUT', 'CONNECT_TIMEOUT'],
    ['EHOSTUNREACH', 'HOST_UNREACHABLE'],
    ['ENETUNREACH', 'NETWORK_UNREACHABLE'],
    ['EADDRNOTAVAIL', 'ADDRESS_NOT_AVAILABLE'],
  ] as const) {
    it(`${code} is not-sent (${expected})`, () => {
      assert.deepEqual(classifyTransportError(withCode(code), false, false), {
        kind: 'not-sent',
        code: expected,
        message: `${code}: ${code}`,
      });
    });
  }

  it('any error before the request reached a socket is not-sent', () => {
    assert.equal(classifyTransportError(withCode('ECONNRESET'), false, false).kind, 'not-sent');
    assert.equal(classifyTransportError(new Error('odd'), false, true).kind, 'not-sent');
  });

  it('after the request reached a socket: timeouts are timeout, breaks are reset', () => {
    assert.equal(classifyTransportError(withCode('UND_ERR_HEADERS_TIMEOUT'), true, false).kind, 'timeout');
    assert.equal(classifyTransportError(withCode('UND_ERR_BODY_TIMEOUT'), true, false).kind, 'timeout');
    assert.equal(classifyTransportError(new Error('aborted'), true, true).kind, 'timeout');
    assert.equal(classifyTransportError(withCode('ECONNRESET'), true, false).kind, 'reset');
    assert.equal(classifyTransportError(withCode('UND_ERR_SOCKET'), true, false).kind, 'reset');
    assert.equal(classifyTransportError(withCode('EPIPE'), true, false).kind, 'reset');
  });
});
