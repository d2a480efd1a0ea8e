/** Small formatting helpers the dialects share: numbers, money, XML text, option lookups. */
import { formatAmount, type OperatorConfig, type ProductConfig } from '@mnogate/core';

/** The MSISDN as international digits without the leading '+' (ERS, PreTUPS, Huawei CBS). */
export function msisdnDigits(e164: string): string {
  return e164.startsWith('+') ? e164.slice(1) : e164;
}

/** The MSISDN in E.164 with the leading '+' (rest-json). */
export function msisdnE164(msisdn: string): string {
  return msisdn.startsWith('+') ? msisdn : `+${msisdn}`;
}

/**
 * Integer minor units as a decimal string in major units, without floats: whole amounts have no
 * fraction ("100"), others keep the currency's digits ("2.50").
 */
export function majorUnits(amountMinor: number, currency: string): string {
  const text = formatAmount(amountMinor, currency);
  return text.includes('.') && /^0+$/.test(text.split('.')[1]!) ? text.split('.')[0]! : text;
}

/** The operator's product code when configured, else our product id. */
export function productCode(product: ProductConfig): string {
  return product.operatorProductId ?? product.id;
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>escaped value</name>` */
export function el(name: string, value: string | number): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A dialect option from operator.api.options as a string, or the fallback. */
export function option(operator: OperatorConfig, name: string, fallback: string): string;
export function option(operator: OperatorConfig, name: string): string | undefined;
export function option(operator: OperatorConfig, name: string, fallback?: string): string | undefined {
  const value = operator.api.options[name];
  return value === undefined ? fallback : String(value);
}

/** A comma-separated option (`"4006, 4010"`) as a set of its trimmed, non-empty values. */
export function optionSet(operator: OperatorConfig, name: string, fallback = ''): ReadonlySet<string> {
  return new Set(
    option(operator, name, fallback)
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );
}

/** The date/time parts of `date` in an IANA time zone (default UTC), zero-padded. */
export function dateParts(
  date: Date,
  timeZone = 'UTC',
): { yyyy: string; MM: string; dd: string; HH: string; mm: string; ss: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    yyyy: get('year'),
    MM: get('month'),
    dd: get('day'),
    HH: get('hour'),
    mm: get('minute'),
    ss: get('second'),
  };
}

/** A short one-line excerpt of an operator's answer for messages (never the whole body). */
export function excerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}
