/**
 * pretups: Comviva PreTUPS C2S external gateway. XML (not SOAP) over HTTP POST; the gateway's
 * identity travels in the query string, the retailer's in the `<COMMAND>` body. EXRCTRFREQ recharges,
 * EXRCSTATREQ asks for the status of EXTREFNUM (our reference).
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
import { dateParts, el, excerpt, majorUnits, msisdnDigits, option, optionSet } from '../format.js';
import { httpCall } from '../http-call.js';
import {
  guardHttpStatus,
  rechargeFromCode,
  statusFromCode,
  transportRechargeOutcome,
  transportStatusOutcome,
  unparseable,
} from '../outcomes.js';
import { findFirst, nonEmptyTextAt, parseXml, type XmlNode } from '../xml.js';
import { PRETUPS_AUTH_FAILED_CODES, PRETUPS_ERROR_CODE, PRETUPS_TXN_STATUS } from './codes.js';

export { PRETUPS_AUTH_FAILED_CODES, PRETUPS_ERROR_CODE, PRETUPS_TXN_STATUS } from './codes.js';

/** Messages that say the operator has no record of the reference (when no not-found code is configured). */
const NOT_FOUND_MESSAGE = /not\s*found|does\s*not\s*exist|no\s+(such\s+)?(record|transaction)|no\s+data/i;

/** PreTUPS DATE: dd/MM/yyyy HH:mm:ss in the operator's time zone (option `timeZone`, default UTC). */
export function pretupsDate(date: Date, timeZone = 'UTC'): string {
  const p = dateParts(date, timeZone);
  return `${p.dd}/${p.MM}/${p.yyyy} ${p.HH}:${p.mm}:${p.ss}`;
}

interface PretupsAnswer {
  readonly txnStatus: string;
  readonly reqStatus?: string | undefined;
  readonly extRefNum?: string | undefined;
  readonly txnId?: string | undefined;
  readonly message?: string | undefined;
}

function readAnswer(body: string): PretupsAnswer | undefined {
  const doc = parseXml(body);
  if (!doc) return undefined;
  const command: XmlNode = findFirst(doc, 'COMMAND') ?? doc;
  const txnStatus = nonEmptyTextAt(command, 'TXNSTATUS');
  if (txnStatus === undefined) return undefined;
  return {
    txnStatus,
    reqStatus: nonEmptyTextAt(command, 'REQSTATUS'),
    extRefNum: nonEmptyTextAt(command, 'EXTREFNUM'),
    txnId: nonEmptyTextAt(command, 'TXNID'),
    message: nonEmptyTextAt(command, 'MESSAGE'),
  };
}

export const createPretupsConnector: ConnectorFactory = (options: ConnectorOptions): Connector => {
  const { operator, credentials } = options;
  const now = options.now ?? (() => new Date());
  const timeZone = option(operator, 'timeZone', 'UTC');
  const login = credentials.login ?? '';
  const password = credentials.password ?? '';
  const query = {
    REQUEST_GATEWAY_CODE: option(operator, 'requestGatewayCode', ''),
    REQUEST_GATEWAY_TYPE: 'EXTGW',
    LOGIN: login,
    PASSWORD: password,
    SOURCE_TYPE: option(operator, 'sourceType', 'EXTGW'),
    SERVICE_PORT: option(operator, 'servicePort', ''),
  };
  const notFoundCodes = optionSet(operator, 'statusNotFoundCodes');
  const authFailedCodes = optionSet(operator, 'authFailedCodes', PRETUPS_AUTH_FAILED_CODES.join(','));
  const retailer = () =>
    el('EXTNWCODE', option(operator, 'extNwCode', '')) +
    el('MSISDN', option(operator, 'retailerMsisdn', '')) +
    el('PIN', credentials.pin ?? '') +
    el('LOGINID', login) +
    el('PASSWORD', password) +
    el('EXTCODE', option(operator, 'extCode', ''));

  async function send(command: string, ctx: CallContext) {
    const url = new URL(ctx.endpoint);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return httpCall(ctx, {
      method: 'POST',
      url: url.href,
      headers: { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><COMMAND>${command}</COMMAND>`,
    });
  }

  return {
    dialect: 'pretups',

    async recharge(call: RechargeCall, ctx: CallContext): Promise<RechargeOutcome> {
      const command =
        el('TYPE', 'EXRCTRFREQ') +
        el('DATE', pretupsDate(now(), timeZone)) +
        retailer() +
        el('EXTREFNUM', call.reference) +
        el('MSISDN2', msisdnDigits(call.msisdn)) +
        el('AMOUNT', majorUnits(call.amountMinor, call.currency)) +
        el('LANGUAGE1', option(operator, 'language1', '0')) +
        el('LANGUAGE2', option(operator, 'language2', '0')) +
        el('SELECTOR', call.product.operatorProductId ?? option(operator, 'selector', '1'));
      const res = await send(command, ctx);
      if (res.kind !== 'response') return transportRechargeOutcome(res);
      const answer = readAnswer(res.body);
      if (answer?.extRefNum !== undefined && answer.extRefNum !== call.reference) {
        return unparseable(
          res.statusCode,
          `answer is for EXTREFNUM ${answer.extRefNum}, not ${call.reference}`,
        );
      }
      const parsed =
        answer &&
        rechargeFromCode(PRETUPS_TXN_STATUS, PRETUPS_ERROR_CODE, answer.txnStatus, {
          message: answer.message,
          transactionId: answer.txnId,
        });
      if (!parsed && res.statusCode >= 200 && res.statusCode < 300) {
        return unparseable(res.statusCode, `no TXNSTATUS in ${excerpt(res.body)}`);
      }
      return guardHttpStatus(res.statusCode, parsed, excerpt(res.body));
    },

    async status(call: RechargeCall, ctx: CallContext): Promise<StatusOutcome> {
      const command =
        el('TYPE', 'EXRCSTATREQ') +
        el('DATE', pretupsDate(now(), timeZone)) +
        retailer() +
        el('EXTREFNUM', call.reference) +
        el('TXNID', '') +
        el('LANGUAGE1', option(operator, 'language1', '0'));
      const res = await send(command, ctx);
      if (res.kind !== 'response') return transportStatusOutcome(res);
      const answer = readAnswer(res.body);
      if (!answer || res.statusCode < 200 || res.statusCode >= 300) {
        return { status: 'error', message: `status query HTTP ${res.statusCode}: ${excerpt(res.body)}` };
      }
      if (answer.extRefNum !== undefined && answer.extRefNum !== call.reference) {
        return { status: 'error', message: `status answer is for EXTREFNUM ${answer.extRefNum}` };
      }
      const details = { message: answer.message, transactionId: answer.txnId };
      // REQSTATUS, when present, is the original recharge's status; TXNSTATUS is then the query's.
      if (
        answer.reqStatus !== undefined &&
        (answer.txnStatus === '200' || answer.reqStatus in PRETUPS_TXN_STATUS)
      ) {
        return statusFromCode(PRETUPS_TXN_STATUS, PRETUPS_ERROR_CODE, answer.reqStatus, details);
      }
      if (answer.txnStatus in PRETUPS_TXN_STATUS) {
        return statusFromCode(PRETUPS_TXN_STATUS, PRETUPS_ERROR_CODE, answer.txnStatus, details);
      }
      // An error code for the query itself: our credentials refused, not-found when it says so,
      // else ask again later.
      if (authFailedCodes.has(answer.txnStatus)) {
        return {
          status: 'error',
          reason: 'auth',
          message: `status query answered ${answer.txnStatus}: ${answer.message ?? 'authentication failed'}`,
        };
      }
      if (notFoundCodes.has(answer.txnStatus) || NOT_FOUND_MESSAGE.test(answer.message ?? '')) {
        return {
          status: 'not-found',
          operatorCode: answer.txnStatus,
          message: answer.message ?? 'the operator has no such EXTREFNUM',
        };
      }
      return {
        status: 'error',
        message: `status query answered ${answer.txnStatus}: ${answer.message ?? ''}`,
      };
    },
  };
};
