/**
 * huawei-cbs: Huawei CBS AR services, SOAP 1.1. `RechargeRequestMsg` (SOAPAction Recharge) with
 * RechargeSerialNo = our reference and the amount in minor units; the status is read from
 * `QueryRechargeLogRequestMsg` (SOAPAction QueryRechargeLog) for the subscriber over a time window
 * around the recharge, filtered here by serial number.
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
import { dateParts, el, excerpt, msisdnDigits, option, optionSet } from '../format.js';
import { httpCall } from '../http-call.js';
import {
  type CodeTable,
  guardHttpStatus,
  rechargeFromCode,
  statusQueryError,
  transportRechargeOutcome,
  transportStatusOutcome,
  unparseable,
} from '../outcomes.js';
import { findFirst, nonEmptyTextAt, parseXml, textOf, type XmlNode } from '../xml.js';
import { HUAWEI_CBS_AMBIGUOUS_CODE, HUAWEI_CBS_OTHER_CODE, HUAWEI_CBS_RESULT_CODES } from './codes.js';

export { HUAWEI_CBS_AMBIGUOUS_CODE, HUAWEI_CBS_OTHER_CODE, HUAWEI_CBS_RESULT_CODES } from './codes.js';

export const HUAWEI_CBS_NAMESPACES = {
  ars: 'http://www.huawei.com/bme/cbsinterface/arservices',
  cbs: 'http://www.huawei.com/bme/cbsinterface/cbscommon',
  arc: 'http://cbs.huawei.com/ar/wsservice/arcommon',
} as const;

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

/** How far before the acceptance and after now the recharge-log window reaches. */
export const HUAWEI_CBS_WINDOW_MARGIN_MS = 15 * 60_000;

/** Names a recharge-log entry may carry our serial number under. */
const SERIAL_FIELDS = ['RechargeSerialNo', 'ExtTransID', 'SerialNo', 'ExtRechargeSerialNo'];
/** Names a recharge-log entry may carry its own result under. */
const RESULT_FIELDS = ['ResultCode', 'RechargeResult', 'Result', 'Status', 'RechargeStatus'];

/** yyyyMMddHHmmss, the CBS time format. */
export function cbsTime(date: Date, timeZone = 'UTC'): string {
  const p = dateParts(date, timeZone);
  return `${p.yyyy}${p.MM}${p.dd}${p.HH}${p.mm}${p.ss}`;
}

function directChild(node: XmlNode, names: readonly string[]): string | undefined {
  if (typeof node === 'string') return undefined;
  const wanted = names.map((n) => n.toLowerCase());
  for (const [name, list] of Object.entries(node)) {
    if (!wanted.includes(name.toLowerCase())) continue;
    const t = textOf(list[0]);
    if (t !== undefined && t !== '') return t;
  }
  return undefined;
}

function resultHeader(doc: XmlNode): { code?: string | undefined; desc?: string | undefined } {
  const header = findFirst(doc, 'ResultHeader');
  if (header === undefined) return {};
  return { code: nonEmptyTextAt(header, 'ResultCode'), desc: nonEmptyTextAt(header, 'ResultDesc') };
}

/** Every element (depth first) that carries our serial number in a direct child. */
function logEntriesFor(doc: XmlNode, reference: string): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (node: XmlNode) => {
    if (typeof node === 'string') return;
    if (directChild(node, SERIAL_FIELDS) === reference) out.push(node);
    for (const list of Object.values(node)) for (const child of list) walk(child);
  };
  walk(doc);
  return out;
}

export const createHuaweiCbsConnector: ConnectorFactory = (options: ConnectorOptions): Connector => {
  const { operator, credentials } = options;
  const now = options.now ?? (() => new Date());
  const ns = HUAWEI_CBS_NAMESPACES;
  const version = option(operator, 'version', '1');
  const beId = option(operator, 'beId', '');
  const channelId = option(operator, 'rechargeChannelId', '');
  const timeZone = option(operator, 'timeZone', 'UTC');
  const ambiguous = optionSet(operator, 'ambiguousResultCodes');
  const table: CodeTable = {
    ...Object.fromEntries([...ambiguous].map((c) => [c, HUAWEI_CBS_AMBIGUOUS_CODE])),
    ...HUAWEI_CBS_RESULT_CODES,
  };
  const loginSystemCode = credentials.loginSystemCode ?? '';
  let seq = 0;

  function requestHeader(businessCode: string, messageSeq: string): string {
    return (
      `<RequestHeader>${el('cbs:Version', version)}${el('cbs:BusinessCode', businessCode)}` +
      `${el('cbs:MessageSeq', messageSeq)}<cbs:OwnershipInfo>${el('cbs:BEID', beId)}</cbs:OwnershipInfo>` +
      `<cbs:AccessSecurity>${el('cbs:LoginSystemCode', loginSystemCode)}${el('cbs:Password', credentials.password ?? '')}</cbs:AccessSecurity>` +
      `<cbs:OperatorInfo>${el('cbs:OperatorID', option(operator, 'operatorId', loginSystemCode))}${el('cbs:ChannelID', channelId)}</cbs:OperatorInfo>` +
      `</RequestHeader>`
    );
  }

  function envelope(inner: string): string {
    return (
      `<?xml version="1.0" encoding="UTF-8"?>` +
      `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV}" xmlns:ars="${ns.ars}" xmlns:cbs="${ns.cbs}" xmlns:arc="${ns.arc}">` +
      `<soapenv:Header/><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`
    );
  }

  const subscriber = (msisdn: string) =>
    `<ars:SubAccessCode>${el('arc:PrimaryIdentity', msisdnDigits(msisdn))}</ars:SubAccessCode>`;

  async function send(action: string, body: string, ctx: CallContext) {
    return httpCall(ctx, {
      method: 'POST',
      url: ctx.endpoint,
      headers: { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml', soapaction: `"${action}"` },
      body: envelope(body),
    });
  }

  return {
    dialect: 'huawei-cbs',

    async recharge(call: RechargeCall, ctx: CallContext): Promise<RechargeOutcome> {
      const body =
        `<ars:RechargeRequestMsg>${requestHeader('Recharge', call.reference)}<RechargeRequest>` +
        el('ars:RechargeSerialNo', call.reference) +
        el('ars:RechargeType', option(operator, 'rechargeType', '0')) +
        el('ars:RechargeChannelID', channelId) +
        `<ars:RechargeObj>${subscriber(call.msisdn)}</ars:RechargeObj>` +
        `<ars:RechargeInfo><ars:CashPayment>${el('ars:PaymentMethod', option(operator, 'paymentMethod', '1001'))}` +
        `${el('ars:Amount', call.amountMinor)}</ars:CashPayment></ars:RechargeInfo>` +
        el('ars:CurrencyID', option(operator, 'currencyId', call.currency)) +
        `</RechargeRequest></ars:RechargeRequestMsg>`;
      const res = await send('Recharge', body, ctx);
      if (res.kind !== 'response') return transportRechargeOutcome(res);
      const doc = parseXml(res.body);
      const header = doc ? resultHeader(doc) : {};
      const result = doc ? findFirst(doc, 'RechargeResult') : undefined;
      const echoed = result === undefined ? undefined : nonEmptyTextAt(result, 'RechargeSerialNo');
      if (echoed !== undefined && echoed !== call.reference) {
        return unparseable(res.statusCode, `answer is for RechargeSerialNo ${echoed}, not ${call.reference}`);
      }
      // A SOAP fault is never a definitive code, whatever it carries.
      const fault = doc !== undefined && findFirst(doc, 'Fault') !== undefined;
      const parsed =
        header.code === undefined || fault
          ? undefined
          : rechargeFromCode(table, HUAWEI_CBS_OTHER_CODE, header.code, {
              message: header.desc,
              transactionId: echoed,
            });
      if (!parsed && res.statusCode >= 200 && res.statusCode < 300) {
        return unparseable(res.statusCode, `no ResultHeader/ResultCode in ${excerpt(res.body)}`);
      }
      return guardHttpStatus(res.statusCode, parsed, excerpt(res.body));
    },

    async status(call: RechargeCall, ctx: CallContext): Promise<StatusOutcome> {
      const start = new Date(call.acceptedAt - HUAWEI_CBS_WINDOW_MARGIN_MS);
      const end = new Date(Math.max(now().getTime(), call.acceptedAt) + HUAWEI_CBS_WINDOW_MARGIN_MS);
      seq = (seq + 1) % 1_000_000;
      const body =
        `<ars:QueryRechargeLogRequestMsg>${requestHeader('QueryRechargeLog', `Q${cbsTime(now(), timeZone)}${String(seq).padStart(6, '0')}`)}` +
        `<QueryRechargeLogRequest><ars:QueryObj>${subscriber(call.msisdn)}</ars:QueryObj>` +
        `${el('ars:StartTime', cbsTime(start, timeZone))}${el('ars:EndTime', cbsTime(end, timeZone))}` +
        `${el('ars:TotalRowNum', 0)}${el('ars:BeginRowNum', 0)}${el('ars:FetchRowNum', 100)}` +
        `</QueryRechargeLogRequest></ars:QueryRechargeLogRequestMsg>`;
      const res = await send('QueryRechargeLog', body, ctx);
      if (res.kind !== 'response') return transportStatusOutcome(res);
      const doc = parseXml(res.body);
      const header = doc ? resultHeader(doc) : {};
      if (!doc || res.statusCode < 200 || res.statusCode >= 300 || header.code === undefined) {
        return { status: 'error', message: `status query HTTP ${res.statusCode}: ${excerpt(res.body)}` };
      }
      if (header.code !== '0') {
        return statusQueryError(
          `status query answered ${header.code}: ${header.desc ?? ''}`,
          table[header.code],
        );
      }
      const entries = logEntriesFor(doc, call.reference);
      if (entries.length === 0) {
        return { status: 'not-found', message: 'no recharge-log entry with our serial number in the window' };
      }
      // Several entries for one serial: any success wins (the credit happened), then any pending.
      const results = entries.map((e) => directChild(e, RESULT_FIELDS));
      const classify = (r: string | undefined) => {
        if (r === undefined || r === '0' || /^(success(ful)?|succeeded|ok|completed?)$/i.test(r))
          return 'succeeded';
        if (/^(pending|processing|in\s*progress|under\s*process)$/i.test(r)) return 'pending';
        return 'failed';
      };
      const classes = results.map(classify);
      const index = classes.indexOf('succeeded');
      if (index >= 0) {
        const entry = entries[index]!;
        return {
          status: 'succeeded',
          operatorCode: results[index] ?? '0',
          operatorTransactionId: directChild(entry, ['TransID', 'TransactionID', 'RechargeTransID']),
        };
      }
      if (classes.includes('pending')) {
        return {
          status: 'pending',
          operatorCode: results[classes.indexOf('pending')],
          message: 'recharge in progress',
        };
      }
      return {
        status: 'failed',
        operatorCode: results[0] ?? 'FAILED',
        message: `recharge-log entry says ${results[0] ?? 'failed'}`,
      };
    },
  };
};
