/**
 * ers: Ericsson/Seamless ERS external top-up, SOAP 1.1 (document/literal, unqualified children) in
 * namespace http://external.interfaces.ers.seamless.com/. `requestTopup` credits; `getTransactionStatus`
 * finds the original by `context.clientReference` (our reference). Credentials travel in `context`.
 */
import type {
  CallContext,
  Connector,
  ConnectorFactory,
  ConnectorOptions,
  RechargeCall,
  RechargeOutcome,
  StatusOutcome,
} from '../connector.js';
import { el, excerpt, majorUnits, msisdnDigits, option, productCode } from '../format.js';
import { httpCall } from '../http-call.js';
import {
  type CodeClass,
  type CodeTable,
  guardHttpStatus,
  rechargeFromCode,
  statusFromCode,
  statusQueryError,
  transportRechargeOutcome,
  transportStatusOutcome,
  unparseable,
} from '../outcomes.js';
import { findAll, findFirst, nonEmptyTextAt, parseXml, textOf, type XmlNode } from '../xml.js';
import { ERS_RESULT_CODES } from './codes.js';

export { ERS_RESULT_CODES } from './codes.js';

export const ERS_NAMESPACE = 'http://external.interfaces.ers.seamless.com/';
const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/** A code missing from the table: treated as ambiguous (the status query decides). */
const ERS_UNLISTED: CodeClass = {
  name: 'UNLISTED',
  recharge: 'unknown',
  status: 'error',
  meaning: 'a code this connector does not know',
};

function envelope(operation: string, inner: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:ext="${ERS_NAMESPACE}">` +
    `<soapenv:Header/><soapenv:Body><ext:${operation}>${inner}</ext:${operation}></soapenv:Body></soapenv:Envelope>`
  );
}

function principal(tag: string, id: string, type: string, userId?: string): string {
  return `<${tag}>${el('id', id)}${el('type', type)}${userId === undefined ? '' : el('userId', userId)}</${tag}>`;
}

/** The `<return>` of a response, or undefined when the answer is not a readable ERS response. */
function returnOf(body: string): XmlNode | undefined {
  const doc = parseXml(body);
  if (!doc) return undefined;
  const ret = findFirst(doc, 'return');
  return ret !== undefined && typeof ret === 'object' ? ret : undefined;
}

/** The resultCode that is a direct child of `node`. */
function ownResultCode(node: XmlNode): string | undefined {
  if (typeof node === 'string') return undefined;
  const key = Object.keys(node).find((k) => k.toLowerCase() === 'resultcode');
  return key === undefined ? undefined : textOf(node[key]?.[0]);
}

/**
 * When a status answer says the query succeeded (0), the original top-up's own result may sit in a
 * nested element (`<transaction><resultCode>`, `transactionResultCode`, ...). Returns that code when
 * there is one.
 */
function nestedOriginalCode(ret: XmlNode): string | undefined {
  for (const name of ['transactionResultCode', 'originalResultCode', 'topupResultCode']) {
    const t = nonEmptyTextAt(ret, name);
    if (t !== undefined) return t;
  }
  if (typeof ret === 'string') return undefined;
  for (const [name, list] of Object.entries(ret)) {
    if (name.toLowerCase() === 'resultcode') continue;
    for (const child of list) {
      if (typeof child !== 'object') continue;
      const nested = findAll(child, 'resultCode')
        .map(textOf)
        .find((t) => t !== undefined && t !== '');
      if (nested !== undefined) return nested;
    }
  }
  return undefined;
}

export const createErsConnector: ConnectorFactory = (options: ConnectorOptions): Connector => {
  const { operator, credentials } = options;
  const clientId = option(operator, 'clientId', 'mnogate');
  const channel = option(operator, 'channel', 'WSClient');
  const senderId = option(operator, 'senderId', credentials.userId ?? '');
  const principalType = option(operator, 'principalType', 'RESELLERUSER');
  const senderAccountTypeId = option(operator, 'senderAccountTypeId', 'RESELLER');
  const userId = credentials.userId ?? '';
  const password = credentials.password ?? '';

  function context(reference: string, timeoutMs: number): string {
    return (
      `<context>${el('channel', channel)}${el('clientId', clientId)}${el('clientReference', reference)}` +
      `${el('clientRequestTimeout', timeoutMs)}${principal('initiatorPrincipalId', senderId, principalType, userId)}` +
      `${el('password', password)}</context>`
    );
  }

  async function send(operation: string, inner: string, ctx: CallContext) {
    return httpCall(ctx, {
      method: 'POST',
      url: ctx.endpoint,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        accept: 'text/xml',
        soapaction: `"${operation}"`,
      },
      body: envelope(operation, inner),
    });
  }

  return {
    dialect: 'ers',

    async recharge(call: RechargeCall, ctx: CallContext): Promise<RechargeOutcome> {
      const msisdn = msisdnDigits(call.msisdn);
      const inner =
        context(call.reference, ctx.timeoutMs) +
        principal('senderPrincipalId', senderId, principalType, userId) +
        principal('topupPrincipalId', msisdn, 'SUBSCRIBERMSISDN', '') +
        `<senderAccountSpecifier>${el('accountId', senderId)}${el('accountTypeId', senderAccountTypeId)}</senderAccountSpecifier>` +
        `<topupAccountSpecifier>${el('accountId', msisdn)}${el(
          'accountTypeId',
          call.product.kind === 'data' ? 'DATA_BUNDLE' : 'AIRTIME',
        )}</topupAccountSpecifier>` +
        el('productId', productCode(call.product)) +
        `<amount>${el('currency', call.currency)}${el('value', majorUnits(call.amountMinor, call.currency))}</amount>`;
      const res = await send('requestTopup', inner, ctx);
      if (res.kind !== 'response') return transportRechargeOutcome(res);
      const ret = returnOf(res.body);
      const code = ret === undefined ? undefined : ownResultCode(ret);
      const parsed =
        ret === undefined || code === undefined || code === ''
          ? undefined
          : rechargeFromCode(ERS_RESULT_CODES, ERS_UNLISTED, code, {
              message: nonEmptyTextAt(ret, 'resultDescription'),
              transactionId: nonEmptyTextAt(ret, 'ersReference'),
            });
      if (!parsed && res.statusCode >= 200 && res.statusCode < 300) {
        return unparseable(res.statusCode, `no return/resultCode in ${excerpt(res.body)}`);
      }
      return guardHttpStatus(res.statusCode, parsed, excerpt(res.body));
    },

    async status(call: RechargeCall, ctx: CallContext): Promise<StatusOutcome> {
      const res = await send('getTransactionStatus', context(call.reference, ctx.timeoutMs), ctx);
      if (res.kind !== 'response') return transportStatusOutcome(res);
      const ret = returnOf(res.body);
      const queryCode = ret === undefined ? undefined : ownResultCode(ret);
      if (ret === undefined || queryCode === undefined || queryCode === '') {
        return { status: 'error', message: `status query HTTP ${res.statusCode}: ${excerpt(res.body)}` };
      }
      // Only 2xx answers count, except an explicit TRANSACTION_NOT_FOUND in a fault-coded answer
      // (and an authentication refusal there is still one).
      if ((res.statusCode < 200 || res.statusCode >= 300) && queryCode !== '933') {
        return statusQueryError(
          `status query HTTP ${res.statusCode}: ${excerpt(res.body)}`,
          (ERS_RESULT_CODES as CodeTable)[queryCode],
        );
      }
      const code = queryCode === '0' ? (nestedOriginalCode(ret) ?? '0') : queryCode;
      return statusFromCode(ERS_RESULT_CODES, ERS_UNLISTED, code, {
        message: nonEmptyTextAt(ret, 'resultDescription'),
        transactionId: nonEmptyTextAt(ret, 'ersReference'),
      });
    },
  };
};
