/**
 * The one error table of mnogate: every error has a stable code `MNOGATE_ERR_<AREA>_<WHAT>`, the HTTP
 * status it maps to, and a default message. Tests assert codes, never message text.
 */
export const ERROR_TABLE = {
  // configuration (mnogate validate, config reload)
  MNOGATE_ERR_CONFIG_FILE: { status: 422, message: 'the configuration file cannot be read' },
  MNOGATE_ERR_CONFIG_YAML: { status: 422, message: 'the configuration is not valid YAML' },
  MNOGATE_ERR_CONFIG_SCHEMA: { status: 422, message: 'the configuration does not match the schema' },
  MNOGATE_ERR_CONFIG_DUPLICATE_ID: { status: 422, message: 'two entries share one id' },
  MNOGATE_ERR_CONFIG_DUPLICATE_PREFIX: { status: 422, message: 'two operators claim the same prefix' },
  MNOGATE_ERR_CONFIG_PREFIX_COUNTRY: { status: 422, message: "a prefix is not in the operator's country" },
  MNOGATE_ERR_CONFIG_CIDR_OVERLAP: { status: 422, message: 'remote CIDRs overlap the VPC or each other' },
  MNOGATE_ERR_CONFIG_SUBNET_OUTSIDE_VPC: { status: 422, message: 'a subnet lies outside the VPC' },
  MNOGATE_ERR_CONFIG_SUBNET_OVERLAP: { status: 422, message: 'two subnets overlap' },
  MNOGATE_ERR_CONFIG_EGRESS_OUTSIDE_SUBNET: {
    status: 422,
    message: 'the egress source lies outside its subnet',
  },
  MNOGATE_ERR_CONFIG_TUNNEL_OPTION: { status: 422, message: 'a tunnel option is outside what AWS allows' },
  MNOGATE_ERR_CONFIG_TUNNEL_INSIDE_CIDR: {
    status: 422,
    message: 'a tunnel inside CIDR is not an allowed /30',
  },
  MNOGATE_ERR_CONFIG_ASN_CLASH: { status: 422, message: 'the peer ASN equals the Amazon-side ASN' },
  MNOGATE_ERR_CONFIG_LITERAL_SECRET: {
    status: 422,
    message: 'a literal secret where a secret reference belongs',
  },
  MNOGATE_ERR_CONFIG_PRODUCTS: { status: 422, message: 'products are empty or inconsistent' },
  MNOGATE_ERR_CONFIG_PORTABILITY: { status: 422, message: 'the number portability table is invalid' },
  MNOGATE_ERR_CONFIG_UNKNOWN_OPERATOR: {
    status: 422,
    message: 'a setting names an operator that does not exist',
  },
  MNOGATE_ERR_CONFIG_OPERATOR_NO_VPN: {
    status: 422,
    message: 'a VPN setting names an operator without a vpn section',
  },

  // request validation
  MNOGATE_ERR_REQUEST_INVALID: { status: 400, message: 'the request is invalid' },
  MNOGATE_ERR_REQUEST_MALFORMED_JSON: { status: 400, message: 'the body is not valid JSON' },
  MNOGATE_ERR_REQUEST_CONTENT_TYPE: { status: 415, message: 'unsupported content type' },
  MNOGATE_ERR_REQUEST_TOO_LARGE: { status: 413, message: 'the body is too large' },
  MNOGATE_ERR_REQUEST_NOT_FOUND: { status: 404, message: 'no such resource' },
  MNOGATE_ERR_REQUEST_METHOD: { status: 405, message: 'method not allowed' },
  MNOGATE_ERR_REQUEST_CURSOR: { status: 400, message: 'the pagination cursor is invalid' },

  // MSISDN and routing
  MNOGATE_ERR_MSISDN_INVALID: { status: 400, message: 'the phone number is not a valid MSISDN' },
  MNOGATE_ERR_MSISDN_COUNTRY_REQUIRED: {
    status: 400,
    message: 'a national-format number needs a country to be normalised',
  },
  MNOGATE_ERR_ROUTE_NO_OPERATOR: { status: 422, message: 'no operator serves this number' },
  MNOGATE_ERR_ROUTE_AMBIGUOUS: { status: 422, message: 'more than one operator could serve this number' },
  MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR: { status: 422, message: 'no operator has this id' },
  MNOGATE_ERR_ROUTE_OTHER_GATEWAY: {
    status: 421,
    message: "this gateway fronts another operator: send the request to that operator's gateway",
  },

  // money and products
  MNOGATE_ERR_MONEY_INVALID: { status: 400, message: 'the amount is not a valid decimal string' },
  MNOGATE_ERR_MONEY_PRECISION: {
    status: 400,
    message: 'the amount has more decimals than its currency allows',
  },
  MNOGATE_ERR_MONEY_CURRENCY: { status: 400, message: 'unknown ISO 4217 currency' },
  MNOGATE_ERR_MONEY_CURRENCY_MISMATCH: { status: 422, message: "the currency is not the operator's" },
  MNOGATE_ERR_PRODUCT_UNKNOWN: { status: 422, message: 'the operator has no such product' },
  MNOGATE_ERR_PRODUCT_AMOUNT: { status: 422, message: "the amount is not one of the product's" },

  // the recharge lifecycle
  MNOGATE_ERR_STATE_TRANSITION: { status: 409, message: 'illegal recharge state transition' },
  MNOGATE_ERR_RECHARGE_NOT_FOUND: { status: 404, message: 'no such recharge' },
  MNOGATE_ERR_RECHARGE_INTERRUPTED: {
    status: 503,
    message: 'the gateway stopped before sending the recharge; nothing was sent',
  },
  MNOGATE_ERR_RECHARGE_NOT_UNRESOLVED: { status: 409, message: 'the recharge is not awaiting resolution' },

  // idempotency
  MNOGATE_ERR_IDEMPOTENCY_KEY_MISSING: { status: 400, message: 'the Idempotency-Key header is required' },
  MNOGATE_ERR_IDEMPOTENCY_KEY_INVALID: { status: 400, message: 'the Idempotency-Key header is invalid' },
  MNOGATE_ERR_IDEMPOTENCY_IN_FLIGHT: { status: 409, message: 'a request with this key is still in flight' },
  MNOGATE_ERR_IDEMPOTENCY_BODY_MISMATCH: {
    status: 422,
    message: 'this idempotency key was used with another body',
  },

  // authentication and authorisation
  MNOGATE_ERR_AUTH_MISSING: { status: 401, message: 'an API key is required' },
  MNOGATE_ERR_AUTH_INVALID: { status: 401, message: 'the API key is not valid' },
  MNOGATE_ERR_AUTH_SCOPE: { status: 403, message: 'the API key lacks the scope this needs' },
  MNOGATE_ERR_AUTH_RATE_LIMITED: { status: 429, message: 'too many requests for this API key' },

  // operator policies: refused before anything is sent
  MNOGATE_ERR_POLICY_RATE_LIMITED: { status: 429, message: "the operator's rate limit is reached" },
  MNOGATE_ERR_POLICY_RATE_LIMIT_UNAVAILABLE: {
    status: 503,
    message: 'the shared rate limit could not be read: the recharge was not sent',
  },
  MNOGATE_ERR_POLICY_BULKHEAD_FULL: { status: 503, message: "the operator's concurrency limit is reached" },
  MNOGATE_ERR_POLICY_CIRCUIT_OPEN: { status: 503, message: "the operator's circuit is open" },
  MNOGATE_ERR_POLICY_NO_ENDPOINT: { status: 503, message: 'no healthy endpoint for the operator' },
  MNOGATE_ERR_POLICY_SHUTTING_DOWN: { status: 503, message: 'the gateway is shutting down' },

  // operator outcomes (carried in recharge.failure)
  MNOGATE_ERR_OPERATOR_REJECTED: { status: 422, message: 'the operator refused the recharge' },
  MNOGATE_ERR_OPERATOR_CONNECT: { status: 502, message: 'the operator could not be reached' },
  MNOGATE_ERR_OPERATOR_TIMEOUT: { status: 504, message: 'the operator did not answer in time' },
  MNOGATE_ERR_OPERATOR_PROTOCOL: { status: 502, message: 'the operator answered something unreadable' },
  MNOGATE_ERR_OPERATOR_NOT_FOUND: { status: 422, message: 'the operator never saw the recharge' },
  MNOGATE_ERR_RECHARGE_RESOLVED_BY_ADMIN: { status: 422, message: 'an administrator resolved the recharge' },

  // secrets
  MNOGATE_ERR_SECRET_MISSING: { status: 500, message: 'a secret reference cannot be resolved' },
  MNOGATE_ERR_SECRET_REFERENCE: { status: 500, message: 'a secret reference is malformed' },

  // store and internals
  MNOGATE_ERR_STORE_UNAVAILABLE: { status: 503, message: 'the store is unavailable' },
  MNOGATE_ERR_STORE_CONFLICT: { status: 409, message: 'a concurrent change won' },
  MNOGATE_ERR_INTERNAL_UNEXPECTED: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { readonly status: number; readonly message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** An error that carries a stable code, its HTTP status, and where it came from. */
export class MnogateError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message ?? ERROR_TABLE[code].message, options);
    this.name = 'MnogateError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
    this.details = details;
  }
}

export function isMnogateError(err: unknown, code?: ErrorCode): err is MnogateError {
  return err instanceof MnogateError && (code === undefined || err.code === code);
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_TABLE, code);
}
