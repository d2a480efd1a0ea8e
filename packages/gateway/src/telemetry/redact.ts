/**
 * Redaction of text that may carry credentials or phone numbers: operator request and response
 * bodies (SOAP/XML, query strings, JSON), header dumps, and whole log lines. pino's path redaction
 * (logger.ts) covers structured fields; this covers what hides inside strings.
 */
import { maskMsisdn } from '@mnogate/core';

export const REDACTED = '[redacted]';

/** Credential names, matched case-insensitively, with or without a namespace prefix. */
const SECRET_NAMES =
  'password|passwd|pwd|pin|login|loginid|loginsystemcode|secret|client_secret|api[-_]?key|access[-_]?token|token';

// <cbs:Password attr="x">value</cbs:Password>, with CDATA or plain text content
const XML_ELEMENT = new RegExp(
  `<((?:[\\w.-]+:)?(?:${SECRET_NAMES}))(\\s[^>]*)?>((?:<!\\[CDATA\\[[\\s\\S]*?\\]\\]>|[^<])*)</\\1\\s*>`,
  'gi',
);
// PASSWORD=secret in a query string or a form body (also JSON-escaped inside log lines)
const QUERY_PARAM = new RegExp(`([?&;]|\\b)(${SECRET_NAMES})=([^&\\s"'<>\\\\]*)`, 'gi');
// "password": "secret" in JSON, also as escaped JSON inside a JSON string (\"password\":\"secret\")
const JSON_FIELD = new RegExp(
  `(\\\\?"(?:${SECRET_NAMES}|x-api-key|authorization)\\\\?"\\s*:\\s*)(\\\\?")((?:[^"\\\\]|\\\\[^"])*)(\\\\?")`,
  'gi',
);
// header dumps: "Authorization: Bearer x", "X-API-Key: x"
const HEADER_LINE = /\b(authorization|x-api-key|proxy-authorization)(\s*:\s*)([^\r\n",}]+)/gi;

/** Replaces credential elements of an XML or SOAP body with [redacted]; the rest is kept. */
export function redactXml(xml: string): string {
  return xml.replace(XML_ELEMENT, (_m, name: string, attrs: string | undefined) => {
    return `<${name}${attrs ?? ''}>${REDACTED}</${name}>`;
  });
}

/**
 * Redacts credentials in any body or message: XML elements, query/form parameters, JSON fields and
 * header lines. Use it on whatever operator text could be logged, stored or answered.
 */
export function redactBody(text: string): string {
  if (text.length === 0) return text;
  return redactXml(text)
    .replace(QUERY_PARAM, (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`)
    .replace(
      JSON_FIELD,
      (_m, key: string, open: string, _v: string, close: string) => `${key}${open}${REDACTED}${close}`,
    )
    .replace(HEADER_LINE, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
}

const SECRET_HEADER = new RegExp(
  `^(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|(?:x-)?(?:${SECRET_NAMES}))$`,
  'i',
);

/** Replaces the values of credential headers (Authorization, X-API-Key, cookies, ...) with [redacted]. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADER.test(name) ? REDACTED : redactBody(value);
  }
  return out;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const xmlEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Replaces known secret values (an operator's resolved credentials) wherever they stand as a token
 * of their own, also URL-encoded or XML-escaped: the net under redactBody for dialects that carry a
 * credential in an element or field without a telling name.
 */
export function redactValues(text: string, values: readonly string[]): string {
  if (values.length === 0 || text.length === 0) return text;
  return text.replace(valuesPattern(values), REDACTED);
}

/** One compiled pattern per list of values (an operator's credentials), built on first use. */
const valuePatterns = new WeakMap<readonly string[], RegExp>();

function valuesPattern(values: readonly string[]): RegExp {
  const cached = valuePatterns.get(values);
  if (cached) return cached;
  const forms = new Set<string>();
  for (const v of values) {
    if (!v) continue;
    forms.add(v);
    forms.add(encodeURIComponent(v));
    forms.add(xmlEscape(v));
  }
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`(?<![A-Za-z0-9_-])(?:${alternatives.join('|')})(?![A-Za-z0-9_-])`, 'g');
  valuePatterns.set(values, pattern);
  return pattern;
}

const E164 = /(\+|%2B)(\d{8,15})\b/gi;
const MSISDN_PARAM = /(\bmsisdn=)([^&\s"\\]+)/gi;

/** Masks phone numbers in free text: E.164 (also URL-encoded) and `msisdn=` parameters. */
export function maskMsisdns(text: string): string {
  return text
    .replace(E164, (_m, plus: string, digits: string) => {
      const masked = maskMsisdn(`+${digits}`);
      return plus === '+' ? masked : `%2B${masked.slice(1)}`;
    })
    .replace(MSISDN_PARAM, (_m, name: string, value: string) =>
      value.includes('*')
        ? `${name}${value}`
        : `${name}${'*'.repeat(Math.max(0, value.length - 3))}${value.slice(-3)}`,
    );
}

/** What the logger applies to every line before it is written. */
export function redactLogLine(line: string): string {
  return maskMsisdns(redactBody(line));
}
