/** Money is integer minor units with an ISO 4217 currency; decimal strings at the edges, never floats. */
import { MnogateError } from '../errors.js';
import { currencyExponent } from './currencies.js';

export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** "12.50" AFN -> 1250. Refuses signs, exponents, too many decimals and amounts beyond 2^53. */
export function parseAmount(text: string, currency: string): Money {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) {
    throw new MnogateError('MNOGATE_ERR_MONEY_CURRENCY', `unknown ISO 4217 currency: ${currency}`, {
      currency,
    });
  }
  const match = typeof text === 'string' ? DECIMAL.exec(text) : null;
  if (!match) {
    throw new MnogateError(
      'MNOGATE_ERR_MONEY_INVALID',
      'the amount must be a decimal string such as "100.00"',
      {
        amount: text,
      },
    );
  }
  const whole = match[1]!;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    throw new MnogateError('MNOGATE_ERR_MONEY_PRECISION', `${currency} has ${exponent} decimal(s)`, {
      amount: text,
      currency,
    });
  }
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  const value = Number(digits);
  if (digits.length > 16 || !Number.isSafeInteger(value)) {
    throw new MnogateError('MNOGATE_ERR_MONEY_INVALID', 'the amount is too large', { amount: text });
  }
  return { amountMinor: value, currency };
}

/** 1250 AFN -> "12.50". */
export function formatAmount(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new MnogateError('MNOGATE_ERR_MONEY_CURRENCY', undefined, { currency });
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new MnogateError('MNOGATE_ERR_MONEY_INVALID', 'minor units must be a non-negative safe integer');
  }
  if (exponent === 0) return String(amountMinor);
  const digits = String(amountMinor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
