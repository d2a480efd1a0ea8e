import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createRouter,
  isMnogateError,
  maskMsisdn,
  normalizeMsisdn,
  parsePortabilityCsv,
} from '@mnogate/core';

const OPERATORS = [
  { id: 'awcc', prefixes: ['+9370', '+9371'] },
  { id: 'awcc-premium', prefixes: ['+93709'] },
  { id: 'roshan', prefixes: ['+9379', '+9372'] },
];

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isMnogateError(err), `expected a MnogateError, got ${err}`);
    return err.code;
  }
  assert.fail('expected an error');
}

describe('MSISDN normalisation', () => {
  it('accepts international formats', () => {
    assert.equal(normalizeMsisdn('+93701234567'), '+93701234567');
    assert.equal(normalizeMsisdn('+93 70 123 4567'), '+93701234567');
    assert.equal(normalizeMsisdn('0093701234567'), '+93701234567');
    assert.equal(normalizeMsisdn('93701234567'), '+93701234567');
    assert.equal(normalizeMsisdn('(+93) 70-123-4567'), '+93701234567');
  });

  it('normalises national-format numbers with a country', () => {
    assert.equal(normalizeMsisdn('0701234567', { country: 'AF' }), '+93701234567');
    assert.equal(normalizeMsisdn('701234567', { country: 'AF' }), '+93701234567');
    assert.equal(normalizeMsisdn('0712345678', { country: 'KE' }), '+254712345678');
  });

  it('asks for a country for a national number without one', () => {
    assert.equal(
      code(() => normalizeMsisdn('0701234567')),
      'MNOGATE_ERR_MSISDN_COUNTRY_REQUIRED',
    );
  });

  it('refuses garbage with a clear code', () => {
    for (const bad of [
      '',
      'hello',
      '+93abc',
      '++93701234567',
      '+93 70',
      '1'.repeat(40),
      '+999123456789',
      '<script>',
    ]) {
      assert.equal(
        code(() => normalizeMsisdn(bad)),
        'MNOGATE_ERR_MSISDN_INVALID',
        bad,
      );
    }
    for (const bad of [null, undefined, 93701234567, {}]) {
      assert.equal(
        code(() => normalizeMsisdn(bad)),
        'MNOGATE_ERR_MSISDN_INVALID',
        String(bad),
      );
    }
  });

  it('masks all but the country code and the last three digits', () => {
    assert.equal(maskMsisdn('+93701234567'), '+93******567');
    assert.equal(maskMsisdn('+254712345678'), '+254******678');
  });
});

describe('router', () => {
  const router = createRouter(OPERATORS);

  it('routes by the longest matching prefix', () => {
    assert.deepEqual(router.route('+93701234567'), { operatorId: 'awcc', via: 'prefix', prefix: '+9370' });
    assert.deepEqual(router.route('+93709234567'), {
      operatorId: 'awcc-premium',
      via: 'prefix',
      prefix: '+93709',
    });
    assert.equal(router.route('+93721234567').operatorId, 'roshan');
  });

  it('lets a portability override beat the prefix', () => {
    const { table, issues } = parsePortabilityCsv('msisdn,operatorId\n+93701234567,roshan\n', {
      knownOperators: new Set(OPERATORS.map((o) => o.id)),
    });
    assert.deepEqual(issues, []);
    const ported = createRouter(OPERATORS, table);
    assert.deepEqual(ported.route('+93701234567'), {
      operatorId: 'roshan',
      via: 'portability',
      prefix: null,
    });
    assert.equal(ported.route('+93701234568').operatorId, 'awcc', 'other numbers keep their prefix route');
  });

  it('honours an explicit operator and refuses an unknown one', () => {
    assert.deepEqual(router.route('+93701234567', 'roshan'), {
      operatorId: 'roshan',
      via: 'explicit',
      prefix: null,
    });
    assert.equal(
      code(() => router.route('+93701234567', 'nope')),
      'MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR',
    );
  });

  it('names the candidates when routing is ambiguous', () => {
    const ambiguous = createRouter([...OPERATORS, { id: 'mvno', prefixes: ['+9372'] }]);
    try {
      ambiguous.route('+93721234567');
      assert.fail('expected ambiguity');
    } catch (err) {
      assert.ok(isMnogateError(err, 'MNOGATE_ERR_ROUTE_AMBIGUOUS'));
      assert.deepEqual(err.details?.candidates, ['roshan', 'mvno']);
    }
    const { table } = parsePortabilityCsv('+93701234567,roshan\n+93701234567,awcc-premium\n');
    assert.equal(
      code(() => createRouter(OPERATORS, table).route('+93701234567')),
      'MNOGATE_ERR_ROUTE_AMBIGUOUS',
    );
  });

  it('refuses a number no operator serves', () => {
    assert.equal(
      code(() => router.route('+93781234567')),
      'MNOGATE_ERR_ROUTE_NO_OPERATOR',
    );
  });

  it('reports bad portability lines with their line numbers', () => {
    const { issues } = parsePortabilityCsv(
      'msisdn,operatorId\n+93701234567,roshan\nnot-a-number,awcc\n+93701234568\n+93701234569,ghost\n',
      {
        knownOperators: new Set(['awcc', 'roshan']),
      },
    );
    assert.deepEqual(
      issues.map((i) => [i.code, i.line]),
      [
        ['MNOGATE_ERR_CONFIG_PORTABILITY', 3],
        ['MNOGATE_ERR_CONFIG_PORTABILITY', 4],
        ['MNOGATE_ERR_CONFIG_PORTABILITY', 5],
      ],
    );
  });
});
