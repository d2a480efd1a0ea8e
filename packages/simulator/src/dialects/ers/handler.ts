/**
 * `ers`: Ericsson/Seamless ERS external top-up, SOAP 1.1 at /topupservice/service (WSDL at ?wsdl).
 * requestTopup credits; getTransactionStatus finds the original by context.clientReference and
 * answers with that transaction's result code (933 when there is none). Credentials travel in the
 * body: context.initiatorPrincipalId.userId and context.password.
 */
import {
  type DialectContext,
  type DialectHandler,
  endpointPath,
  type SimReply,
  type SimRequest,
} from '../../dialect.js';
import type { Transaction, TransactionOutcome } from '../../ledger.js';
import { majorToMinor, minorToMajor } from '../../money.js';
import { child, el, escapeXml, parseXml, SOAP_ENV, soapFault, text, type XmlValue } from '../../xml.js';
import { ERS_NS, ersWsdl } from './wsdl.js';

export const ERS_RESULT = {
  SUCCESS: 0,
  PENDING_APPROVAL: 1,
  REJECTED_BUSINESS_LOGIC: 10,
  REJECTED_AMOUNT: 11,
  AUTHENTICATION_FAILED: 20,
  ACCESS_DENIED: 21,
  INVALID_TOPUP_PRINCIPAL_ID: 32,
  TOPUP_PRINCIPAL_NOT_FOUND: 40,
  INVALID_PRODUCT: 41,
  SYSTEM_ERROR: 90,
  SYSTEM_BUSY: 93,
  SERVICE_UNAVAILABLE: 94,
  INSUFFICIENT_SENDER_CREDIT: 104,
  ACCOUNTSYSTEM_TIMEOUT: 105,
  TRANSACTION_NOT_FOUND: 933,
  TRANSACTION_ALREADY_COMPLETED: 2016,
} as const;
type ResultName = keyof typeof ERS_RESULT;

const BY_OUTCOME: Readonly<Record<TransactionOutcome, ResultName>> = {
  succeeded: 'SUCCESS',
  pending: 'PENDING_APPROVAL',
  ambiguous: 'ACCOUNTSYSTEM_TIMEOUT',
  rejected: 'REJECTED_BUSINESS_LOGIC',
  'rejected-subscriber': 'TOPUP_PRINCIPAL_NOT_FOUND',
  'rejected-credit': 'INSUFFICIENT_SENDER_CREDIT',
  'invalid-msisdn': 'INVALID_TOPUP_PRINCIPAL_ID',
  'invalid-amount': 'REJECTED_AMOUNT',
};

const XML_TYPE = 'text/xml; charset=utf-8';

function envelope(operation: string, returnXml: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="${SOAP_ENV}"><S:Body><ns2:${operation} xmlns:ns2="${ERS_NS}"><return>${returnXml}</return></ns2:${operation}></S:Body></S:Envelope>`;
}

function amountXml(name: string, minor: number, currency: string): string {
  return `<${name}>${el('currency', currency)}${el('value', minorToMajor(minor, currency))}</${name}>`;
}

function principalXml(name: string, id: string | undefined, type: string | undefined): string {
  if (id === undefined) return '';
  return `<${name}><principalId>${el('id', id)}${el('type', type)}</principalId></${name}>`;
}

export function createErsHandler(ctx: DialectContext): DialectHandler {
  const result = (name: ResultName, t?: Transaction, extra = '') =>
    `${el('ersReference', t?.operatorReference)}${el('resultCode', ERS_RESULT[name])}${el('resultDescription', name)}${extra}`;

  const details = (t: Transaction, sender: XmlValue | undefined, accountTypeId: string | undefined) =>
    amountXml('requestedTopupAmount', t.amountMinor, t.currency) +
    principalXml('senderPrincipal', text(sender, 'id'), text(sender, 'type')) +
    `<topupAccountSpecifier>${el('accountId', t.msisdn)}${el('accountTypeId', accountTypeId ?? 'AIRTIME')}</topupAccountSpecifier>` +
    (t.credited ? amountXml('topupAmount', t.amountMinor, t.currency) : '') +
    principalXml('topupPrincipal', t.msisdn, 'SUBSCRIBERMSISDN');

  const ok = (
    operation: string,
    returnXml: string,
    transport?: SimReply['transport'],
    delayMs?: number,
  ): SimReply => ({
    status: 200,
    contentType: XML_TYPE,
    body: envelope(operation, returnXml),
    transport,
    delayMs,
  });

  const fault = (message: string): SimReply => {
    ctx.badRequest();
    return { status: 500, contentType: XML_TYPE, body: soapFault('soap:Client', message) };
  };

  const authenticated = (context: XmlValue | undefined) =>
    ctx.checkCredentials({
      userId: text(context, 'initiatorPrincipalId', 'userId'),
      password: text(context, 'password'),
    });

  function requestTopup(op: XmlValue): SimReply {
    const name = 'requestTopupResponse';
    const context = child(op, 'context');
    if (!authenticated(context)) return ok(name, result('AUTHENTICATION_FAILED'));
    const reference = text(context, 'clientReference');
    if (!reference) return fault('context.clientReference is required');
    const currency = text(op, 'amount', 'currency') ?? ctx.operator.currency;
    const value = text(op, 'amount', 'value');
    const accountTypeId = text(op, 'topupAccountSpecifier', 'accountTypeId');
    const decision = ctx.topup({
      reference,
      msisdn: text(op, 'topupPrincipalId', 'id') ?? text(op, 'topupAccountSpecifier', 'accountId') ?? '',
      amountMinor: value === undefined ? undefined : majorToMinor(value, currency),
      currency,
      productId: text(op, 'productId'),
    });
    const sender = child(op, 'senderPrincipalId');
    const { transport, delayMs } = decision;
    switch (decision.kind) {
      case 'duplicate':
        return ok(name, result('TRANSACTION_ALREADY_COMPLETED', decision.original), transport, delayMs);
      case 'busy':
        return ok(name, result('SYSTEM_BUSY'), transport, delayMs);
      case 'dropped':
        return ok(name, result('SYSTEM_ERROR'), transport, delayMs);
      case 'logged': {
        const t = decision.txn;
        return ok(
          name,
          result(BY_OUTCOME[t.outcome], t, details(t, sender, accountTypeId)),
          transport,
          delayMs,
        );
      }
    }
  }

  function getTransactionStatus(op: XmlValue): SimReply {
    const name = 'getTransactionStatusResponse';
    const context = child(op, 'context');
    if (!authenticated(context)) return ok(name, result('AUTHENTICATION_FAILED'));
    const reference = text(context, 'clientReference');
    if (!reference) return fault('context.clientReference is required');
    const t = ctx.find(reference);
    const s = ctx.statusQuery(t ? [t] : []);
    if (s.busy) return ok(name, result('SYSTEM_BUSY'), s.transport, s.delayMs);
    if (!t) return ok(name, result('TRANSACTION_NOT_FOUND'), s.transport, s.delayMs);
    const state = ctx.state(t);
    const code: ResultName =
      state === 'pending' ? 'PENDING_APPROVAL' : state === 'succeeded' ? 'SUCCESS' : BY_OUTCOME[t.outcome];
    return ok(name, result(code, t, details(t, undefined, undefined)), s.transport, s.delayMs);
  }

  const path = endpointPath(ctx.operator);
  return {
    handle(req: SimRequest): SimReply {
      if (req.url.pathname.replace(/\/+$/, '') !== path)
        return { status: 404, contentType: 'text/plain', body: 'not found\n' };
      if (req.method === 'GET' && req.url.searchParams.has('wsdl')) {
        const location = `http://${req.headers.host ?? req.url.host}${req.url.pathname}`;
        return { status: 200, contentType: XML_TYPE, body: ersWsdl(escapeXml(location)) };
      }
      if (req.method !== 'POST')
        return { status: 405, contentType: 'text/plain', body: 'POST a SOAP request\n' };
      const doc = parseXml(req.body);
      const body = child(doc, 'Envelope', 'Body');
      if (!body || typeof body !== 'object') return fault('not a SOAP 1.1 envelope');
      const topup = child(body, 'requestTopup');
      if (topup !== undefined) return requestTopup(topup);
      const status = child(body, 'getTransactionStatus');
      if (status !== undefined) return getTransactionStatus(status);
      return fault(`unknown operation ${Object.keys(body).join(', ')}`);
    },
  };
}
