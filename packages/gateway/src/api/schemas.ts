/** JSON Schemas shared by the routes: they validate, serialise, and become the OpenAPI document. */
export const problemRef = {
  description: 'RFC 9457 problem details with a stable MNOGATE_ERR_* code',
  type: 'object',
  additionalProperties: true,
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
  required: ['type', 'title', 'status', 'code'],
} as const;

export const rechargeSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['succeeded', 'failed', 'pending', 'unknown'] },
    msisdn: { type: 'string' },
    operatorId: { type: 'string' },
    amount: { type: 'string' },
    currency: { type: 'string' },
    productId: { type: 'string' },
    reference: { type: ['string', 'null'] },
    operatorReference: { type: 'string' },
    operatorTransactionId: { type: ['string', 'null'] },
    failure: {
      type: ['object', 'null'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        operatorCode: { type: ['string', 'null'] },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const productSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['airtime', 'data'] },
    name: { type: ['string', 'null'] },
    currency: { type: 'string' },
    denominations: { type: 'array', items: { type: 'string' } },
    range: { type: ['object', 'null'], properties: { min: { type: 'string' }, max: { type: 'string' } } },
  },
} as const;

export const operatorSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    country: { type: 'string' },
    currency: { type: 'string' },
    prefixes: { type: 'array', items: { type: 'string' } },
    dialect: { type: 'string' },
  },
} as const;

/** The query parameters of every cursor-paged list: `limit` (1 to 200, default 50) and `cursor`. */
export const pageQueryProperties = {
  limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1 to 200, default 50' },
  cursor: { type: 'string', maxLength: 512, description: 'nextCursor of the previous page' },
} as const;

/** The answer of a cursor-paged list of `items`. */
export function pageSchema<T>(items: T) {
  return {
    type: 'object',
    properties: { items: { type: 'array', items }, nextCursor: { type: ['string', 'null'] } },
  } as const;
}

/** The page size a `limit` query parameter asks for, within 1 to 200 (default 50). */
export function pageLimit(limit: string | undefined): number {
  return Math.min(200, Math.max(1, Number(limit ?? 50)));
}
