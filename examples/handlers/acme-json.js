// An example connector handler module: a made-up "Acme" JSON API, loaded by naming this file in an
// operator's config (`api.dialect: ./handlers/acme-json.js`, relative to the config file). It exports
// `createConnector(options)` returning `{ recharge, status }`, exactly as the built-in dialects do,
// and needs no import: it calls the operator through the dispatcher the gateway hands it.
//
// Acme:  POST /acme/v1/recharges  { ref, phone, amountMinor, currency, product }
//          -> { result: "OK" | "REJECTED" | "PENDING", txn?, code?, text? }
//        GET  /acme/v1/recharges/:ref -> 200 same shape | 404 never seen
// Credentials: { token }, sent as `Authorization: Bearer <token>`.

/** Connection errors that prove nothing was sent: the engine may try another endpoint. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

async function call(ctx, method, path, token, body) {
  const url = new URL(path, ctx.endpoint.endsWith('/') ? ctx.endpoint : `${ctx.endpoint}/`);
  try {
    const res = await ctx.dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: ctx.timeoutMs,
      bodyTimeout: ctx.timeoutMs,
      signal: ctx.signal,
    });
    const text = await res.body.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { statusCode: res.statusCode, json };
  } catch (err) {
    return { error: err };
  }
}

export function createConnector({ operator, credentials }) {
  const token = credentials.token ?? '';
  return {
    dialect: 'acme-json',

    async recharge(req, ctx) {
      const r = await call(ctx, 'POST', 'acme/v1/recharges', token, {
        ref: req.reference,
        phone: req.msisdn,
        amountMinor: req.amountMinor,
        currency: req.currency,
        product: req.product.operatorProductId ?? req.product.id,
      });
      if (r.error) {
        if (NOT_SENT.has(r.error.code)) {
          return { status: 'failed', operatorCode: 'CONNECT_FAILED', message: r.error.message, sent: false };
        }
        const timeout = /TIMEOUT|Abort/i.test(`${r.error.code} ${r.error.name}`);
        return { status: 'unknown', reason: timeout ? 'timeout' : 'reset', message: r.error.message };
      }
      const result = r.json?.result;
      if (r.statusCode === 200 && result === 'OK') {
        return { status: 'succeeded', operatorCode: 'OK', operatorTransactionId: r.json.txn };
      }
      if (r.statusCode === 200 && result === 'REJECTED') {
        return {
          status: 'failed',
          operatorCode: String(r.json.code ?? 'REJECTED'),
          message: r.json.text ?? 'rejected',
          sent: true,
        };
      }
      return {
        status: 'unknown',
        reason: r.statusCode >= 500 ? 'http-error' : 'ambiguous-code',
        operatorCode: String(result ?? r.statusCode),
        message: `acme ${operator.id} answered ${r.statusCode} ${result ?? ''}`,
      };
    },

    async status(req, ctx) {
      const r = await call(ctx, 'GET', `acme/v1/recharges/${encodeURIComponent(req.reference)}`, token);
      if (r.error) return { status: 'error', message: r.error.message };
      if (r.statusCode === 404) return { status: 'not-found', message: 'acme never saw this reference' };
      // our token refused: still "ask again later", but `mnogate doctor` names the credentials
      if (r.statusCode === 401) return { status: 'error', reason: 'auth', message: 'acme refused our token' };
      const result = r.json?.result;
      if (r.statusCode !== 200) return { status: 'error', message: `acme status answered ${r.statusCode}` };
      if (result === 'OK')
        return { status: 'succeeded', operatorCode: 'OK', operatorTransactionId: r.json.txn };
      if (result === 'REJECTED')
        return { status: 'failed', operatorCode: String(r.json.code ?? 'REJECTED'), message: 'rejected' };
      if (result === 'PENDING') return { status: 'pending', operatorCode: 'PENDING', message: 'in progress' };
      return { status: 'error', message: `acme status unreadable: ${String(result)}` };
    },
  };
}
