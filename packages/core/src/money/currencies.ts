/**
 * ISO 4217 minor-unit exponents. Every active code not listed below has 2. (CLDR's display digits
 * differ for some currencies, AFN among them, so Intl cannot be used for this.)
 */
const EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Codes that are not currencies one can recharge in: precious metals, testing, fund codes. */
const NOT_TRADEABLE = new Set([
  'XAG',
  'XAU',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XPD',
  'XPT',
  'XSU',
  'XTS',
  'XUA',
  'XXX',
]);

let known: ReadonlySet<string> | undefined;

function knownCurrencies(): ReadonlySet<string> {
  known ??= new Set(Intl.supportedValuesOf('currency').filter((c) => !NOT_TRADEABLE.has(c)));
  return known;
}

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && knownCurrencies().has(code);
}

/** The number of decimals of the currency's minor unit; undefined for an unknown code. */
export function currencyExponent(code: string): number | undefined {
  if (!isCurrency(code)) return undefined;
  return EXPONENT_EXCEPTIONS[code] ?? 2;
}
