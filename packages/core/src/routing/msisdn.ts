/** MSISDN normalisation to E.164 (libphonenumber-js with full metadata). */
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { MnogateError } from '../errors.js';

export interface NormalizeOptions {
  /** ISO 3166 alpha-2 country for numbers in national format (a leading 0, or no country code). */
  readonly country?: string | undefined;
}

/** Returns the number in E.164 (`+93701234567`), or throws MNOGATE_ERR_MSISDN_*. */
export function normalizeMsisdn(input: unknown, options: NormalizeOptions = {}): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > 32) {
    throw new MnogateError('MNOGATE_ERR_MSISDN_INVALID', 'the phone number must be a non-empty string');
  }
  const compact = input.replace(/[\s().-]/g, '');
  if (!/^(\+|00)?\d{4,17}$/.test(compact)) {
    throw new MnogateError(
      'MNOGATE_ERR_MSISDN_INVALID',
      'the phone number may hold only digits and a leading +',
    );
  }
  const international = compact.startsWith('+')
    ? compact
    : compact.startsWith('00')
      ? `+${compact.slice(2)}`
      : null;
  if (international) return validOrThrow(international, undefined);
  if (options.country) {
    const national = tryParse(compact, options.country as CountryCode);
    if (national) return national;
    // digits without + that already carry the country code
    const withPlus = tryParse(`+${compact}`, undefined);
    if (withPlus) return withPlus;
    throw new MnogateError('MNOGATE_ERR_MSISDN_INVALID', `not a valid number for ${options.country}`);
  }
  const withPlus = tryParse(`+${compact}`, undefined);
  if (withPlus) return withPlus;
  if (compact.startsWith('0')) {
    throw new MnogateError('MNOGATE_ERR_MSISDN_COUNTRY_REQUIRED', undefined, { msisdn: maskMsisdn(compact) });
  }
  throw new MnogateError('MNOGATE_ERR_MSISDN_INVALID');
}

function tryParse(text: string, country: CountryCode | undefined): string | null {
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed?.isValid() ? parsed.number : null;
}

function validOrThrow(text: string, country: CountryCode | undefined): string {
  const parsed = tryParse(text, country);
  if (!parsed) throw new MnogateError('MNOGATE_ERR_MSISDN_INVALID', 'not a valid international number');
  return parsed;
}

/** For logs: keeps the country code and the last 3 digits (`+93*******567`). */
export function maskMsisdn(msisdn: string): string {
  const parsed = msisdn.startsWith('+') ? parsePhoneNumberFromString(msisdn) : undefined;
  const cc = parsed ? `+${parsed.countryCallingCode}` : msisdn.slice(0, Math.min(3, msisdn.length));
  const rest = msisdn.slice(cc.length);
  if (rest.length <= 3) return cc + '*'.repeat(rest.length);
  return cc + '*'.repeat(rest.length - 3) + rest.slice(-3);
}
