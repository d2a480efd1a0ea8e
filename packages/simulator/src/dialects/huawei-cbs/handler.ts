/**
 * `huawei-cbs`: Huawei CBS AR services, SOAP 1.1 at /services/ArServices (WSDL at ?wsdl).
 * RechargeRequestMsg credits (amounts in minor units); QueryRechargeLogRequestMsg lists a subscriber's
 * recharges in a time window, optionally only the one whose serial number is ExtTransID. Credentials
 * are RequestHeader/AccessSecurity (LoginSystemCode, Password). CBS answers synchronously, so the
 * pending and ambiguous faults answer 0. The ResultHeader comes prefixed or unprefixed at random.
 */
import {
  type DialectContext,
  type DialectHandler,
  endpointPath,
  type SimReply,
  type SimRequest,
} from '../../dialect.js';
import type { Transaction, TransactionOutcome } from '../../ledger.js';
import { parseMinor } from '../../money.js';
import { child, el, escapeXml, parseXml, SOAP_ENV, soapFault, text, type XmlValue } from '../../xml.js';
import { ARC_NS, ARS_NS, CBS_NS, huaweiCbsWsdl } from './wsdl.js';

/** ResultCode values: 0 is CBS's success; the others are this simulator's. */
export const CBS_RESULT = {
  SUCCESS: ['0', 'Operation successfully.'],
  INVALID_SUBSCRIBER: ['102010101', 'The subscriber identity is invalid.'],
  SUBSCRIBER_NOT_FOUND: ['102010102', 'The subscriber does not exist.'],
  REJECTED: ['102010103', 'The recharge is rejected by a business rule.'],
  INSUFFICIENT_BALANCE: ['102010104', 'The balance of the recharge channel is insufficient.'],
  INVALID_AMOUNT: ['102010105', 'The recharge amount or currency is invalid.'],
  DUPLICATE_SERIAL_NO: ['102010106', 'The recharge serial number already exists.'],
  AUTHENTICATION_FAILED: ['102010107', 'Authentication failed: invalid login system code or password.'],
  SYSTEM_BUSY: ['102010108', 'The system is busy. Please try again later.'],
  INVALID_REQUEST: ['102010111', 'The request message is invalid.'],
} as const satisfies Record<string, readonly [string, string]>;
type ResultName = keyof typeof CBS_RESULT;

const BY_OUTCOME: Readonly<Record<TransactionOutcome, ResultName>> = {
  succeeded: 'SUCCESS',
  pending: 'SUCCESS',
  ambiguous: 'SUCCESS',
  rejected: 'REJECTED',
  'rejected-subscriber': 'SUBSCRIBER_NOT_FOUND',
  'rejected-credit': 'INSUFFICIENT_BALANCE',
  'invalid-msisdn': 'INVALID_SUBSCRIBER',
  'invalid-amount': 'INVALID_AMOUNT',
};

const XML_TYPE = 'text/xml; charset=utf-8';
/** Timezone-free windows: the description fixes no zone, so a window is widened by the widest offset. */
const WINDOW_SLACK_MS = 14 * 3_600_000;

/** yyyyMMddHHmmss (read as UTC) or ISO 8601 -> ms; undefined when absent or unreadable. */
function parseCbsTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function cbsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function createHuaweiCbsHandler(ctx: DialectContext): DialectHandler {
  const path = endpointPath(ctx.operator);
  const version = String(ctx.operator.api.options.version ?? '1');

  const resultHeader = (name: ResultName): string => {
    const [code, desc] = CBS_RESULT[name];
    if (ctx.random() < 0.5) {
      return `<ResultHeader><cbs:Version>${escapeXml(version)}</cbs:Version><cbs:ResultCode>${code}</cbs:ResultCode><cbs:ResultDesc>${escapeXml(desc)}</cbs:ResultDesc></ResultHeader>`;
    }
    return `<ResultHeader xmlns="${CBS_NS}"><Version>${escapeXml(version)}</Version><ResultCode>${code}</ResultCode><ResultDesc>${escapeXml(desc)}</ResultDesc></ResultHeader>`;
  };

  const envelope = (msg: string, inner: string, extra?: Partial<SimReply>): SimReply => ({
    status: 200,
    contentType: XML_TYPE,
    body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENV}"><soapenv:Body><ars:${msg} xmlns:ars="${ARS_NS}" xmlns:cbs="${CBS_NS}" xmlns:arc="${ARC_NS}">${inner}</ars:${msg}></soapenv:Body></soapenv:Envelope>`,
    ...extra,
  });

  const fault = (message: string): SimReply => {
    ctx.badRequest();
    return { status: 500, contentType: XML_TYPE, body: soapFault('soap:Client', message) };
  };

  const authenticated = (header: XmlValue | undefined) =>
    ctx.checkCredentials({
      loginSystemCode: text(header, 'AccessSecurity', 'LoginSystemCode'),
      password: text(header, 'AccessSecurity', 'Password'),
    });

  function recharge(msg: XmlValue): SimReply {
    const name = 'RechargeResultMsg';
    if (!authenticated(child(msg, 'RequestHeader')))
      return envelope(name, resultHeader('AUTHENTICATION_FAILED'));
    const req = child(msg, 'RechargeRequest');
    const serial = text(req, 'RechargeSerialNo');
    if (!serial) return fault('RechargeRequest/RechargeSerialNo is required');
    const amountText = text(req, 'RechargeInfo', 'CashPayment', 'Amount');
    const currencyId = text(req, 'CurrencyID');
    const decision = ctx.topup({
      reference: serial,
      msisdn: text(req, 'RechargeObj', 'SubAccessCode', 'PrimaryIdentity') ?? '',
      amountMinor: amountText === undefined ? undefined : parseMinor(amountText),
      // CBS deployments use numeric currency ids; only an alphabetic code is checked against the operator's
      currency: currencyId && /^[A-Za-z]{3}$/.test(currencyId) ? currencyId : undefined,
      productId: text(req, 'RechargeType'),
    });
    const extra = { transport: decision.transport, delayMs: decision.delayMs };
    const result = (t: Transaction) =>
      `<RechargeResult>${el('ars:RechargeSerialNo', t.reference)}${
        t.credited
          ? `<ars:BalanceChgInfo>${el('ars:BalanceType', 'C_MAIN_ACCOUNT')}${el('ars:OldBalanceAmt', t.balanceBeforeMinor ?? 0)}${el('ars:NewBalanceAmt', t.balanceAfterMinor ?? 0)}</ars:BalanceChgInfo>`
          : ''
      }</RechargeResult>`;
    switch (decision.kind) {
      case 'duplicate':
        return envelope(
          name,
          `${resultHeader('DUPLICATE_SERIAL_NO')}<RechargeResult>${el('ars:RechargeSerialNo', serial)}</RechargeResult>`,
          extra,
        );
      case 'busy':
      case 'dropped':
        return envelope(name, resultHeader('SYSTEM_BUSY'), extra);
      case 'logged': {
        const t = decision.txn;
        const code = BY_OUTCOME[t.outcome];
        return envelope(name, resultHeader(code) + (code === 'SUCCESS' ? result(t) : ''), extra);
      }
    }
  }

  function queryLog(msg: XmlValue): SimReply {
    const name = 'QueryRechargeLogResultMsg';
    if (!authenticated(child(msg, 'RequestHeader')))
      return envelope(name, resultHeader('AUTHENTICATION_FAILED'));
    const req = child(msg, 'QueryRechargeLogRequest');
    const msisdn = ctx.normalizeMsisdn(text(req, 'QueryObj', 'SubAccessCode', 'PrimaryIdentity') ?? '');
    if (!msisdn) return envelope(name, resultHeader('INVALID_SUBSCRIBER'));
    const from = parseCbsTime(text(req, 'StartTime'));
    const to = parseCbsTime(text(req, 'EndTime'));
    const extTransId = text(req, 'ExtTransID') || undefined;
    const entries = ctx
      .transactions()
      .filter(
        (t) =>
          t.msisdn === msisdn &&
          (extTransId === undefined || t.reference === extTransId) &&
          (from === undefined || t.createdAt >= from - WINDOW_SLACK_MS) &&
          (to === undefined || t.createdAt <= to + WINDOW_SLACK_MS),
      );
    const s = ctx.statusQuery(entries);
    const extra = { transport: s.transport, delayMs: s.delayMs };
    if (s.busy) return envelope(name, resultHeader('SYSTEM_BUSY'), extra);
    const rows = entries
      .map((t) => {
        const [code, desc] = CBS_RESULT[t.credited ? 'SUCCESS' : BY_OUTCOME[t.outcome]];
        return `<ars:RechargeInfo>${el('ars:RechargeSerialNo', t.reference)}${el('ars:TradeTime', cbsTime(t.createdAt))}${el('ars:RechargeAmount', t.amountMinor)}${el('ars:CurrencyID', t.currency)}${el('ars:ResultCode', code)}${el('ars:ResultDesc', desc)}</ars:RechargeInfo>`;
      })
      .join('');
    return envelope(
      name,
      `${resultHeader('SUCCESS')}<QueryRechargeLogResult>${el('ars:TotalRowNum', entries.length)}${el('ars:BeginRowNum', 0)}${el('ars:FetchRowNum', entries.length)}${rows}</QueryRechargeLogResult>`,
      extra,
    );
  }

  return {
    handle(req: SimRequest): SimReply {
      if (req.url.pathname.replace(/\/+$/, '') !== path) {
        return { status: 404, contentType: 'text/plain', body: 'not found\n' };
      }
      if (req.method === 'GET' && req.url.searchParams.has('wsdl')) {
        const location = `http://${req.headers.host ?? req.url.host}${req.url.pathname}`;
        return { status: 200, contentType: XML_TYPE, body: huaweiCbsWsdl(escapeXml(location)) };
      }
      if (req.method !== 'POST')
        return { status: 405, contentType: 'text/plain', body: 'POST a SOAP request\n' };
      const body = child(parseXml(req.body), 'Envelope', 'Body');
      if (!body || typeof body !== 'object') return fault('not a SOAP 1.1 envelope');
      const rechargeMsg = child(body, 'RechargeRequestMsg');
      if (rechargeMsg !== undefined) return recharge(rechargeMsg);
      const queryMsg = child(body, 'QueryRechargeLogRequestMsg');
      if (queryMsg !== undefined) return queryLog(queryMsg);
      return fault(`unknown operation ${Object.keys(body).join(', ')}`);
    },
  };
}
