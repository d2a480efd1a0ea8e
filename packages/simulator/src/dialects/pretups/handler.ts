/**
 * `pretups`: Comviva PreTUPS C2S external gateway. XML over HTTP POST (not SOAP) with the gateway's
 * credentials in the query string (LOGIN, PASSWORD, REQUEST_GATEWAY_CODE, REQUEST_GATEWAY_TYPE=EXTGW)
 * and the retailer PIN in the body. EXRCTRFREQ recharges, EXRCSTATREQ asks for a status by EXTREFNUM
 * and/or TXNID. Answers are randomly sloppy, as real ones are: a DOCTYPE line, `</TXNSTATUS >`.
 */
import {
  type DialectContext,
  type DialectHandler,
  endpointPath,
  type SimReply,
  type SimRequest,
} from '../../dialect.js';
import type { Transaction, TransactionOutcome } from '../../ledger.js';
import { majorToMinor } from '../../money.js';
import { child, escapeXml, parseXml, text, type XmlValue } from '../../xml.js';

/** TXNSTATUS values. 200, 205, 206 and 250 are PreTUPS's own; the others are this simulator's error codes. */
export const PRETUPS_STATUS = {
  SUCCESS: '200',
  UNDER_PROCESS: '205',
  FAILED: '206',
  AMBIGUOUS: '250',
  AUTHENTICATION_FAILED: '1001',
  INVALID_PIN: '1002',
  INVALID_SUBSCRIBER_MSISDN: '4001',
  SUBSCRIBER_NOT_FOUND: '4002',
  INVALID_AMOUNT: '4003',
  INSUFFICIENT_BALANCE: '4004',
  DUPLICATE_EXTREFNUM: '4005',
  TRANSACTION_NOT_FOUND: '4006',
  SYSTEM_BUSY: '5000',
  INVALID_REQUEST: '5001',
} as const;
type StatusName = keyof typeof PRETUPS_STATUS;

const BY_OUTCOME: Readonly<Record<TransactionOutcome, [StatusName, string]>> = {
  succeeded: ['SUCCESS', 'Transaction successful'],
  pending: ['UNDER_PROCESS', 'Transaction is under process'],
  ambiguous: ['AMBIGUOUS', 'Transaction status is ambiguous'],
  rejected: ['FAILED', 'Transaction failed'],
  'rejected-subscriber': ['SUBSCRIBER_NOT_FOUND', 'Receiver subscriber not found'],
  'rejected-credit': ['INSUFFICIENT_BALANCE', 'Insufficient balance in the retailer account'],
  'invalid-msisdn': ['INVALID_SUBSCRIBER_MSISDN', 'MSISDN2 is not a valid subscriber number'],
  'invalid-amount': ['INVALID_AMOUNT', 'The amount is not valid'],
};

const DOCTYPE = '<!DOCTYPE COMMAND PUBLIC "-//Ocam//DTD XML Command 1.0//EN" "xml/command.dtd">';

/** dd/MM/yyyy HH:mm:ss (UTC). */
function pretupsDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function createPretupsHandler(ctx: DialectContext): DialectHandler {
  const path = endpointPath(ctx.operator);
  const gatewayCode = ctx.operator.api.options.requestGatewayCode;

  /** A COMMAND answer, with the sloppy variants real gateways emit drawn at random. */
  const command = (
    fields: ReadonlyArray<readonly [string, string | undefined]>,
    extra?: Partial<SimReply>,
  ): SimReply => {
    const doctype = ctx.random() < 0.5;
    const sloppyClose = ctx.random() < 0.5;
    const newlines = ctx.random() < 0.5;
    const nl = newlines ? '\n' : '';
    const body = fields
      .filter((f): f is readonly [string, string] => f[1] !== undefined)
      .map(
        ([k, v]) =>
          `${k === 'TXNSTATUS' && sloppyClose ? `<${k}>${escapeXml(v)}</${k} >` : `<${k}>${escapeXml(v)}</${k}>`}`,
      )
      .join(nl);
    const xml = `<?xml version="1.0"?>\n${doctype ? `${DOCTYPE}\n` : ''}<COMMAND>${nl}${body}${nl}</COMMAND>\n`;
    return { status: 200, contentType: 'text/xml', body: xml, ...extra };
  };

  const authenticated = (req: SimRequest, cmd: XmlValue): StatusName | undefined => {
    const q = req.url.searchParams;
    const gatewayOk =
      q.get('REQUEST_GATEWAY_TYPE') === 'EXTGW' &&
      (gatewayCode === undefined || q.get('REQUEST_GATEWAY_CODE') === String(gatewayCode));
    if (!gatewayOk) {
      ctx.authFailure();
      return 'AUTHENTICATION_FAILED';
    }
    if (
      !ctx.checkCredentials({ login: q.get('LOGIN') ?? undefined, password: q.get('PASSWORD') ?? undefined })
    ) {
      return 'AUTHENTICATION_FAILED';
    }
    if (!ctx.checkCredentials({ pin: text(cmd, 'PIN') })) return 'INVALID_PIN';
    return undefined;
  };

  function recharge(req: SimRequest, cmd: XmlValue): SimReply {
    const type = 'EXRCTRFRESP';
    const extRef = text(cmd, 'EXTREFNUM');
    const now = pretupsDate(ctx.now());
    const answer = (status: StatusName, message: string, t?: Transaction, extra?: Partial<SimReply>) =>
      command(
        [
          ['TYPE', type],
          ['TXNSTATUS', PRETUPS_STATUS[status]],
          ['DATE', now],
          ['EXTREFNUM', extRef ?? ''],
          ['TXNID', t?.operatorReference ?? ''],
          ['MESSAGE', message],
        ],
        extra,
      );
    const denied = authenticated(req, cmd);
    if (denied) return answer(denied, 'Authentication failed');
    if (!extRef) {
      ctx.badRequest();
      return answer('INVALID_REQUEST', 'EXTREFNUM is required');
    }
    const amount = text(cmd, 'AMOUNT');
    const decision = ctx.topup({
      reference: extRef,
      msisdn: text(cmd, 'MSISDN2') ?? '',
      amountMinor: amount === undefined ? undefined : majorToMinor(amount, ctx.operator.currency),
      productId: text(cmd, 'SELECTOR'),
    });
    const extra = { transport: decision.transport, delayMs: decision.delayMs };
    switch (decision.kind) {
      case 'duplicate':
        return answer('DUPLICATE_EXTREFNUM', 'EXTREFNUM already used', decision.original, extra);
      case 'busy':
        return answer('SYSTEM_BUSY', 'System is busy, please try later', undefined, extra);
      case 'dropped':
        return answer('SYSTEM_BUSY', 'dropped', undefined, extra);
      case 'logged': {
        const [status, message] = BY_OUTCOME[decision.txn.outcome];
        return answer(status, message, decision.txn, extra);
      }
    }
  }

  function status(req: SimRequest, cmd: XmlValue): SimReply {
    const type = 'EXRCSTATRESP';
    const extRef = text(cmd, 'EXTREFNUM') || undefined;
    const txnId = text(cmd, 'TXNID') || undefined;
    const answer = (txnStatus: StatusName, message: string, t?: Transaction, extra?: Partial<SimReply>) => {
      const state = t ? ctx.state(t) : undefined;
      const reqStatus =
        state === 'succeeded'
          ? 'SUCCESS'
          : state === 'pending'
            ? 'UNDER_PROCESS'
            : state
              ? 'FAILED'
              : undefined;
      return command(
        [
          ['TYPE', type],
          ['TXNSTATUS', PRETUPS_STATUS[txnStatus]],
          ['REQSTATUS', reqStatus && PRETUPS_STATUS[reqStatus]],
          ['DATE', pretupsDate(ctx.now())],
          ['EXTREFNUM', t?.reference ?? extRef ?? ''],
          ['TXNID', t?.operatorReference ?? txnId ?? ''],
          ['MESSAGE', message],
        ],
        extra,
      );
    };
    const denied = authenticated(req, cmd);
    if (denied) return answer(denied, 'Authentication failed');
    if (!extRef && !txnId) {
      ctx.badRequest();
      return answer('INVALID_REQUEST', 'EXTREFNUM or TXNID is required');
    }
    let t = extRef ? ctx.find(extRef) : undefined;
    if (!t && txnId) t = ctx.findByOperatorReference(txnId);
    if (t && extRef && t.reference !== extRef) t = undefined; // both given: both must match
    const s = ctx.statusQuery(t ? [t] : []);
    const extra = { transport: s.transport, delayMs: s.delayMs };
    if (s.busy) return answer('SYSTEM_BUSY', 'System is busy, please try later', undefined, extra);
    if (!t) return answer('TRANSACTION_NOT_FOUND', 'No transaction with this reference', undefined, extra);
    return answer('SUCCESS', BY_OUTCOME[t.outcome][1], t, extra);
  }

  return {
    handle(req) {
      if (req.url.pathname.replace(/\/+$/, '') !== path) {
        return { status: 404, contentType: 'text/plain', body: 'not found\n' };
      }
      if (req.method !== 'POST') return { status: 405, contentType: 'text/plain', body: 'POST only\n' };
      const cmd = child(parseXml(req.body), 'COMMAND');
      const type = text(cmd, 'TYPE');
      if (cmd !== undefined && type === 'EXRCTRFREQ') return recharge(req, cmd);
      if (cmd !== undefined && type === 'EXRCSTATREQ') return status(req, cmd);
      ctx.badRequest();
      return command([
        ['TYPE', type ? `${type.replace(/REQ$/, '')}RESP` : 'ERRORRESP'],
        ['TXNSTATUS', PRETUPS_STATUS.INVALID_REQUEST],
        ['DATE', pretupsDate(ctx.now())],
        ['MESSAGE', 'The request is not a known COMMAND'],
      ]);
    },
  };
}
