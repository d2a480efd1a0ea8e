/** Picks the operator product a recharge buys and checks its amount. */
import type { OperatorConfig, ProductConfig } from '../config/schema.js';
import { MnogateError } from '../errors.js';
import { parseAmount } from '../money/money.js';

export interface ProductChoice {
  readonly product: ProductConfig;
  readonly amountMinor: number;
}

function accepts(product: ProductConfig, amountMinor: number, currency: string): boolean {
  if (product.denominations?.some((d) => parseAmount(d, currency).amountMinor === amountMinor)) return true;
  if (product.range) {
    const min = parseAmount(product.range.min, currency).amountMinor;
    const max = parseAmount(product.range.max, currency).amountMinor;
    if (amountMinor >= min && amountMinor <= max) return true;
  }
  return false;
}

/**
 * With a productId: that product, if the amount is one of its denominations or in its range.
 * Without: the first product (in config order) that accepts the amount.
 */
export function chooseProduct(
  operator: Pick<OperatorConfig, 'id' | 'currency' | 'products'>,
  request: { amount: string; currency: string; productId?: string | undefined },
): ProductChoice {
  const { amountMinor } = parseAmount(request.amount, request.currency);
  if (request.currency !== operator.currency) {
    throw new MnogateError(
      'MNOGATE_ERR_MONEY_CURRENCY_MISMATCH',
      `operator ${operator.id} sells in ${operator.currency}`,
      {
        expected: operator.currency,
      },
    );
  }
  if (request.productId !== undefined) {
    const product = operator.products.find((p) => p.id === request.productId);
    if (!product) {
      throw new MnogateError(
        'MNOGATE_ERR_PRODUCT_UNKNOWN',
        `operator ${operator.id} has no product ${request.productId}`,
        {
          productId: request.productId,
          products: operator.products.map((p) => p.id),
        },
      );
    }
    if (!accepts(product, amountMinor, request.currency)) {
      throw new MnogateError('MNOGATE_ERR_PRODUCT_AMOUNT', undefined, { productId: product.id });
    }
    return { product, amountMinor };
  }
  const product = operator.products.find((p) => accepts(p, amountMinor, request.currency));
  if (!product)
    throw new MnogateError('MNOGATE_ERR_PRODUCT_AMOUNT', `no product of ${operator.id} sells this amount`);
  return { product, amountMinor };
}
