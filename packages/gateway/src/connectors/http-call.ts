/**
 * One HTTP exchange with an operator, shared by every dialect. It never throws for transport
 * trouble: it says what happened in terms the recharge state machine needs.
 *
 * The boundary that matters is whether any byte of the request may have reached the operator.
 * undici hands a request to a socket (calling the handler's onRequestStart) only once that socket
 * is connected, immediately before writing the request. So an error before onRequestStart means
 * nothing was written (`not-sent`, safe to try another endpoint); any error after it is ambiguous
 * (`timeout` or `reset`), because the operator may have received and committed the request.
 */
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import type { CallContext } from './connector.js';

export type HttpCallResult =
  /** Nothing was written: the connection failed or the call was abandoned before it was handed to a socket. */
  | { readonly kind: 'not-sent'; readonly code: string; readonly message: string }
  /** The request was (or may have been) written; no complete answer came within the time allowed. */
  | { readonly kind: 'timeout'; readonly message: string }
  /** The request was (or may have been) written; the connection broke before a complete answer. */
  | { readonly kind: 'reset'; readonly code: string; readonly message: string }
  | {
      readonly kind: 'response';
      readonly statusCode: number;
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      readonly body: string;
    };

export interface HttpCallRequest {
  readonly method: 'GET' | 'POST';
  /** Absolute URL. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Answers larger than this are cut off (and will not parse). */
  readonly maxResponseBytes?: number;
}

/** Default cap on an operator's answer: far above any real top-up response. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1_048_576;

/** Connection errors that can only happen before a byte is written, with the operatorCode we report. */
export const NOT_SENT_ERROR_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'CONNECT_REFUSED',
  UND_ERR_CONNECT_TIMEOUT: 'CONNECT_TIMEOUT',
  EHOSTUNREACH: 'HOST_UNREACHABLE',
  ENETUNREACH: 'NETWORK_UNREACHABLE',
  EADDRNOTAVAIL: 'ADDRESS_NOT_AVAILABLE',
  EADDRINUSE: 'ADDRESS_IN_USE',
  ENOTFOUND: 'DNS_NOT_FOUND',
  EAI_AGAIN: 'DNS_TEMPORARY_FAILURE',
};

const TIMEOUT_ERROR_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
}

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const cause = (err as { cause?: unknown }).cause;
    if (cause && cause !== err) return errorCode(cause);
  }
  return undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Classify a transport error. `started` says whether undici had handed the request to a connected
 * socket (see the module comment); `timedOut` whether our own total timeout fired.
 */
export function classifyTransportError(
  err: unknown,
  started: boolean,
  timedOut: boolean,
): Exclude<HttpCallResult, { kind: 'response' }> {
  const code = errorCode(err);
  const known = code === undefined ? undefined : NOT_SENT_ERROR_CODES[code];
  if (known !== undefined) {
    return { kind: 'not-sent', code: known, message: `${code}: ${errorMessage(err)}` };
  }
  if (!started) {
    if (timedOut) {
      return {
        kind: 'not-sent',
        code: 'CONNECT_TIMEOUT',
        message: 'timed out before the request was written',
      };
    }
    if (err instanceof Error && err.name === 'AbortError') {
      return { kind: 'not-sent', code: 'ABORTED', message: 'aborted before the request was written' };
    }
    return { kind: 'not-sent', code: 'CONNECT_FAILED', message: `${code ?? 'error'}: ${errorMessage(err)}` };
  }
  if (timedOut || (code !== undefined && TIMEOUT_ERROR_CODES.has(code))) {
    return { kind: 'timeout', message: code ? `${code}: ${errorMessage(err)}` : 'no answer in time' };
  }
  // Aborted by the caller after the request went out: as ambiguous as a timeout.
  if (err instanceof Error && (err.name === 'AbortError' || code === 'UND_ERR_ABORTED')) {
    return { kind: 'timeout', message: `aborted after the request was written: ${errorMessage(err)}` };
  }
  return { kind: 'reset', code: code ?? 'RESET', message: `${code ?? 'error'}: ${errorMessage(err)}` };
}

/** Wraps a handler so that the call learns when undici hands the request to a connected socket. */
function trackStart(dispatcher: Dispatcher, onStart: () => void): Dispatcher {
  return dispatcher.compose(
    (dispatch) => (opts, handler) =>
      dispatch(opts, {
        onRequestStart(controller, context) {
          onStart();
          handler.onRequestStart?.(controller, context);
        },
        onRequestUpgrade(controller, statusCode, headers, socket) {
          handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
        },
        onResponseStart(controller, statusCode, headers, statusMessage) {
          handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
        },
        onResponseData(controller, chunk) {
          handler.onResponseData?.(controller, chunk);
        },
        onResponseEnd(controller, trailers) {
          handler.onResponseEnd?.(controller, trailers);
        },
        onResponseError(controller, error) {
          handler.onResponseError?.(controller, error);
        },
      }),
  );
}

/**
 * Send one request over ctx.dispatcher within ctx.timeoutMs (connect, write, headers and body).
 *
 * When the time runs out (or ctx.signal aborts) while the request is still waiting for a connection,
 * the call ends at once as not-sent: the request's signal is aborted first, so if a connection
 * completes later, undici drops the request before writing it.
 */
export async function httpCall(ctx: CallContext, req: HttpCallRequest): Promise<HttpCallResult> {
  let started = false;
  let timedOut = false;
  let abandon: (result: HttpCallResult) => void = () => undefined;
  const abandoned = new Promise<HttpCallResult>((resolve) => {
    abandon = resolve;
  });
  const controller = new AbortController();
  const stop = (reason: unknown, code: string, message: string) => {
    controller.abort(reason);
    if (!started) abandon({ kind: 'not-sent', code, message });
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop(
      new CallTimeoutError(`no complete answer within ${ctx.timeoutMs} ms`),
      'CONNECT_TIMEOUT',
      `no connection within ${ctx.timeoutMs} ms; nothing was written`,
    );
  }, ctx.timeoutMs);
  let callerAborted = false;
  const onOuterAbort = () => {
    callerAborted = true;
    stop(ctx.signal?.reason, 'ABORTED', 'aborted before the request was written; nothing was written');
  };
  if (ctx.signal?.aborted) onOuterAbort();
  else ctx.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const maxBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  const exchange = async (): Promise<HttpCallResult> => {
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers ?? {},
        body: req.body ?? null,
        dispatcher: trackStart(ctx.dispatcher, () => {
          started = true;
        }),
        signal: controller.signal,
        headersTimeout: ctx.timeoutMs,
        bodyTimeout: ctx.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > maxBytes) {
          res.body.destroy();
          break;
        }
        chunks.push(buf);
      }
      return {
        kind: 'response',
        statusCode: res.statusCode,
        headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
    } catch (err) {
      if (callerAborted && started && !timedOut) {
        // As ambiguous as a timeout: the request may have been committed.
        return { kind: 'timeout', message: 'aborted by the caller after the request was written' };
      }
      return classifyTransportError(err, started, timedOut);
    }
  };

  try {
    return await Promise.race([exchange(), abandoned]);
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onOuterAbort);
  }
}
