/**
 * pino JSON logs. Secrets never appear: credential-looking keys are redacted wherever they are,
 * and the Authorization header with them; every line then goes through redactLogLine, which redacts
 * credentials inside strings (SOAP/XML elements, query parameters, JSON, header dumps) and masks
 * MSISDNs (country code and last 3 digits), including in request URLs.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { redactLogLine } from './redact.js';

/** Paths pino censors: any key at the first levels whose name says it holds a credential. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  // two levels deep: every wildcard level costs on every line, and redactLogLine below catches the rest
  ...['password', 'pin', 'apiKey', 'secret', 'token', 'credentials', 'psk', 'key'].flatMap((k) => [
    k,
    `*.${k}`,
  ]),
];

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: string;
  /** Where lines go (tests collect them). @default stdout */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'mnogate' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: redactLogLine },
    },
    options.destination,
  );
}
