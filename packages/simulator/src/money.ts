import { currencyExponent as iso4217Exponent } from '@mnogate/core';

/** The currency's ISO 4217 exponent (core's table); an unknown code is taken as 2, as operators do. */
export function currencyExponent(currency: string): number {
  return iso4217Exponent(currency.toUpperCase()) ?? 2;
}

/** "100", "100.5", "100.50" (major units) -> minor units; undefined when not a plain positive decimal. */
export function majorToMinor(value: string | number, currency: string): number | undefined {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const exponent = currencyExponent(currency);
  let fraction = m[2] ?? '';
  // trailing zeros beyond the exponent are harmless ("100.000" AFN); real digits there are not
  fraction = fraction.replace(/0+$/, '');
  if (fraction.length > exponent) return undefined;
  const minor = Number(m[1]!) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/** Minor units -> "100.00". */
export function minorToMajor(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(minor);
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  return `${minor < 0 ? '-' : ''}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** "1500" -> 1500; undefined unless a plain non-negative integer. */
export function parseMinor(value: string | number): number | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
