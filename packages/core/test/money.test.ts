import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseProduct, currencyExponent, formatAmount, isMnogateError, parseAmount } from '@mnogate/core';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isMnogateError(err));
    return err.code;
  }
  assert.fail('expected an error');
}

describe('money', () => {
  it('uses ISO 4217 exponents, not display digits', () => {
    assert.equal(currencyExponent('AFN'), 2);
    assert.equal(currencyExponent('JPY'), 0);
    assert.equal(currencyExponent('KWD'), 3);
    assert.equal(currencyExponent('ZZZ'), undefined);
    assert.equal(currencyExponent('XAU'), undefined, 'gold is not a recharge currency');
  });

  it('parses decimal strings into integer minor units', () => {
    assert.deepEqual(parseAmount('100', 'AFN'), { amountMinor: 10000, currency: 'AFN' });
    assert.equal(parseAmount('12.5', 'AFN').amountMinor, 1250);
    assert.equal(parseAmount('12.50', 'AFN').amountMinor, 1250);
    assert.equal(parseAmount('0.01', 'USD').amountMinor, 1);
    assert.equal(parseAmount('1.230', 'KWD').amountMinor, 1230);
    assert.equal(parseAmount('500', 'JPY').amountMinor, 500);
  });

  it('refuses floats in disguise, signs, excess precision and unknown currencies', () => {
    for (const bad of ['-1', '1e3', '1.', '.5', ' 1', '1,000', '', 'NaN', '0x10']) {
      assert.equal(
        code(() => parseAmount(bad, 'AFN')),
        'MNOGATE_ERR_MONEY_INVALID',
        bad,
      );
    }
    assert.equal(
      code(() => parseAmount('1.001', 'AFN')),
      'MNOGATE_ERR_MONEY_PRECISION',
    );
    assert.equal(
      code(() => parseAmount('1.5', 'JPY')),
      'MNOGATE_ERR_MONEY_PRECISION',
    );
    assert.equal(
      code(() => parseAmount('1', 'ZZZ')),
      'MNOGATE_ERR_MONEY_CURRENCY',
    );
    assert.equal(
      code(() => parseAmount('99999999999999999999', 'AFN')),
      'MNOGATE_ERR_MONEY_INVALID',
    );
    assert.equal(
      code(() => parseAmount(12 as unknown as string, 'AFN')),
      'MNOGATE_ERR_MONEY_INVALID',
    );
  });

  it('formats minor units back to decimal strings', () => {
    assert.equal(formatAmount(1250, 'AFN'), '12.50');
    assert.equal(formatAmount(5, 'AFN'), '0.05');
    assert.equal(formatAmount(500, 'JPY'), '500');
    assert.equal(formatAmount(1230, 'KWD'), '1.230');
  });
});

describe('products', () => {
  const operator = {
    id: 'awcc',
    currency: 'AFN',
    products: [
      { id: 'bundle', kind: 'data' as const, denominations: ['300'] },
      { id: 'airtime', kind: 'airtime' as const, range: { min: '10', max: '5000' } },
    ],
  };

  it('picks a named product when the amount fits it', () => {
    assert.equal(
      chooseProduct(operator, { amount: '300', currency: 'AFN', productId: 'bundle' }).product.id,
      'bundle',
    );
    assert.equal(
      chooseProduct(operator, { amount: '25.50', currency: 'AFN', productId: 'airtime' }).amountMinor,
      2550,
    );
  });

  it('picks the first product that sells the amount when none is named', () => {
    assert.equal(chooseProduct(operator, { amount: '300', currency: 'AFN' }).product.id, 'bundle');
    assert.equal(chooseProduct(operator, { amount: '100', currency: 'AFN' }).product.id, 'airtime');
  });

  it('refuses amounts outside the products, unknown products and the wrong currency', () => {
    assert.equal(
      code(() => chooseProduct(operator, { amount: '5', currency: 'AFN' })),
      'MNOGATE_ERR_PRODUCT_AMOUNT',
    );
    assert.equal(
      code(() => chooseProduct(operator, { amount: '5001', currency: 'AFN', productId: 'airtime' })),
      'MNOGATE_ERR_PRODUCT_AMOUNT',
    );
    assert.equal(
      code(() => chooseProduct(operator, { amount: '200', currency: 'AFN', productId: 'bundle' })),
      'MNOGATE_ERR_PRODUCT_AMOUNT',
    );
    assert.equal(
      code(() => chooseProduct(operator, { amount: '100', currency: 'AFN', productId: 'gold' })),
      'MNOGATE_ERR_PRODUCT_UNKNOWN',
    );
    assert.equal(
      code(() => chooseProduct(operator, { amount: '100', currency: 'USD' })),
      'MNOGATE_ERR_MONEY_CURRENCY_MISMATCH',
    );
  });
});
