/**
 * Records the HTTP exchanges of one operator call (a recharge, or a status query) as they pass
 * through the operator's egress dispatcher, so every connector is covered, a handler module too,
 * without a line in its code. What it hands over is redacted (credentials in the URL, headers and
 * bodies become [redacted]) and then cut to `maxBodyBytes`: redaction runs on the whole text first,
 * so a cut never leaves half a password behind.
 */
import type { Dispatcher } from 'undici';
import type { OperatorExchange } from '../store/store.js';
import { redactBody, redactHeaders, redactValues } from '../telemetry/redact.js';
import type { OperatorRuntime } from './operator-runtime.js';

export interface ExchangeRecorderOptions {
  /** Bodies longer than this (in bytes, after redaction) are cut and marked truncated. */
  readonly maxBodyBytes: number;
  /** Credential values to replace wherever they appear (the operator's resolved secrets). */
  readonly secretValues?: readonly string[];
  readonly now?: () => number;
}

export interface ExchangeRecorder {
  /** The operator's dispatcher, recording every exchange sent through it. */
  readonly dispatcher: Dispatcher;
  /** The exchanges so far, oldest first, redacted and cut; an unfinished one says so. */
  take(): OperatorExchange[];
}

/** A response is kept up to this much beyond the limit, so the redaction sees whole elements. */
const CAPTURE_MARGIN_BYTES = 65_536;

interface Capture {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly startedAt: number;
  sent: boolean;
  statusCode: number | null;
  responseHeaders: Record<string, string>;
  readonly chunks: Buffer[];
  size: number;
  overflow: boolean;
  endedAt: number | null;
  error: string | null;
}

/** Transport headers that say nothing about the exchange: not kept. */
const NOISE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'date',
  'content-length',
  'host',
]);

function headerRecord(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: unknown, value: unknown) => {
    if (value === undefined || value === null) return;
    const key = String(name).toLowerCase();
    if (NOISE_HEADERS.has(key)) return;
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    out[key] = key in out ? `${out[key]}, ${text}` : text;
  };
  if (!raw) return out;
  if (Array.isArray(raw)) {
    if (raw.every((item) => Array.isArray(item))) for (const [k, v] of raw as unknown[][]) add(k, v);
    else for (let i = 0; i + 1 < raw.length; i += 2) add(raw[i], raw[i + 1]);
    return out;
  }
  if (typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of raw as Iterable<[unknown, unknown]>) add(k, v);
    return out;
  }
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) add(k, v);
  return out;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return '[a streamed body: not recorded]';
}

function cut(text: string, maxBytes: number, alreadyCut: boolean): { body: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { body: text, truncated: alreadyCut };
  return { body: bytes.subarray(0, maxBytes).toString('utf8'), truncated: true };
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

export function createExchangeRecorder(
  dispatcher: Dispatcher,
  operation: OperatorExchange['operation'],
  options: ExchangeRecorderOptions,
): ExchangeRecorder {
  const now = options.now ?? Date.now;
  const secrets = options.secretValues ?? [];
  const redact = (text: string) => redactValues(redactBody(text), secrets);
  const redactAll = (headers: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(redactHeaders(headers))) out[k] = redactValues(v, secrets);
    return out;
  };
  const captureLimit = options.maxBodyBytes + CAPTURE_MARGIN_BYTES;
  const captures: Capture[] = [];

  const recording = dispatcher.compose((dispatch) => (opts, handler) => {
    const capture: Capture = {
      method: String(opts.method ?? 'GET'),
      url: `${String(opts.origin ?? '').replace(/\/$/, '')}${opts.path ?? ''}`,
      headers: headerRecord(opts.headers),
      body: bodyText(opts.body),
      startedAt: now(),
      sent: false,
      statusCode: null,
      responseHeaders: {},
      chunks: [],
      size: 0,
      overflow: false,
      endedAt: null,
      error: null,
    };
    captures.push(capture);
    return dispatch(opts, {
      onRequestStart(controller, context) {
        capture.sent = true;
        handler.onRequestStart?.(controller, context);
      },
      onRequestUpgrade(controller, statusCode, headers, socket) {
        handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
      },
      onResponseStart(controller, statusCode, headers, statusMessage) {
        capture.statusCode = statusCode;
        capture.responseHeaders = headerRecord(headers);
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData(controller, chunk) {
        if (capture.size < captureLimit) {
          const room = captureLimit - capture.size;
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          capture.chunks.push(Buffer.from(part));
          if (part.length < chunk.length) capture.overflow = true;
        } else {
          capture.overflow = true;
        }
        capture.size += chunk.length;
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd(controller, trailers) {
        capture.endedAt = now();
        handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError(controller, error) {
        capture.endedAt = now();
        capture.error = errorText(error);
        handler.onResponseError?.(controller, error);
      },
    });
  });

  return {
    dispatcher: recording,
    take() {
      return captures.map((c): OperatorExchange => {
        const request = cut(redact(c.body), options.maxBodyBytes, false);
        const answered = c.statusCode !== null;
        const response = answered
          ? cut(redact(Buffer.concat(c.chunks).toString('utf8')), options.maxBodyBytes, c.overflow)
          : null;
        return {
          operation,
          startedAt: c.startedAt,
          durationMs: c.endedAt === null ? null : c.endedAt - c.startedAt,
          request: {
            method: c.method,
            url: redact(c.url),
            headers: redactAll(c.headers),
            body: request.body,
            truncated: request.truncated,
          },
          response:
            response && c.statusCode !== null
              ? {
                  statusCode: c.statusCode,
                  headers: redactAll(c.responseHeaders),
                  body: response.body,
                  truncated: response.truncated,
                }
              : null,
          sent: c.sent,
          error:
            c.error !== null
              ? redact(c.error)
              : c.endedAt === null
                ? 'no complete answer when the call ended'
                : null,
        };
      });
    },
  };
}

/** The `gateway.exchanges` settings (see docs/configuration.md). */
export interface ExchangeSettings {
  readonly record: boolean;
  readonly maxBodyBytes: number;
}

/** A recorder over the operator's dispatcher when exchanges are kept, else undefined. */
export function recorderFor(
  settings: ExchangeSettings | undefined,
  runtime: Pick<OperatorRuntime, 'dispatcher' | 'secretValues'>,
  operation: OperatorExchange['operation'],
): ExchangeRecorder | undefined {
  if (!settings?.record) return undefined;
  return createExchangeRecorder(runtime.dispatcher, operation, {
    maxBodyBytes: settings.maxBodyBytes,
    secretValues: runtime.secretValues,
  });
}
