import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contains,
  formatCidr,
  formatIpv4,
  nextFreeBlock,
  overlaps,
  parseCidr,
  parseIpv4,
  split,
} from '@mnogate/core';

describe('cidr', () => {
  it('parses and formats addresses across the whole range', () => {
    for (const a of ['0.0.0.0', '10.40.0.1', '255.255.255.255', '192.168.1.200']) {
      assert.equal(formatIpv4(parseIpv4(a)), a);
    }
    assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
    assert.throws(() => parseIpv4('256.0.0.1'), TypeError);
    assert.throws(() => parseIpv4('10.0.0'), TypeError);
    assert.throws(() => parseIpv4('010.0.0.1'), TypeError);
  });

  it('parses CIDRs, clearing host bits', () => {
    assert.equal(formatCidr(parseCidr('10.40.20.10/28')), '10.40.20.0/28');
    assert.equal(formatCidr(parseCidr('10.0.0.1')), '10.0.0.1/32');
    assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
    assert.throws(() => parseCidr('10.0.0.0/33'), TypeError);
  });

  it('answers contains and overlaps', () => {
    const vpc = parseCidr('10.40.0.0/16');
    assert.ok(contains(vpc, parseCidr('10.40.10.0/24')));
    assert.ok(!contains(vpc, parseCidr('10.41.0.0/24')));
    assert.ok(!contains(parseCidr('10.40.10.0/24'), vpc));
    assert.ok(contains(vpc, parseIpv4('10.40.255.255')));
    assert.ok(overlaps(vpc, parseCidr('10.0.0.0/8')));
    assert.ok(!overlaps(parseCidr('10.0.0.0/25'), parseCidr('10.0.0.128/25')));
  });

  it('splits into halves and smaller blocks', () => {
    assert.deepEqual(split(parseCidr('10.40.10.0/24')).map(formatCidr), ['10.40.10.0/25', '10.40.10.128/25']);
    assert.equal(split(parseCidr('10.0.0.0/24'), 28).length, 16);
    assert.throws(() => split(parseCidr('10.0.0.0/32')), RangeError);
  });

  it('finds the lowest free aligned block', () => {
    const vpc = parseCidr('10.0.0.0/16');
    const used = [parseCidr('10.0.0.0/24'), parseCidr('10.0.1.16/28')];
    assert.equal(formatCidr(nextFreeBlock(vpc, 24, used) ?? vpc), '10.0.2.0/24');
    assert.equal(formatCidr(nextFreeBlock(vpc, 28, used) ?? vpc), '10.0.1.0/28');
    assert.equal(nextFreeBlock(parseCidr('10.0.0.0/24'), 24, used), undefined);
    assert.equal(nextFreeBlock(parseCidr('10.0.0.0/24'), 23, []), undefined);
  });
});
