/**
 * The operator's firewall: the source addresses it accepts, derived from our egress config. A
 * static-ip egress is whitelisted as exactly that address; a cidr egress as its whole subnet.
 */
import type { EgressConfig } from '@mnogate/core';

export interface Whitelist {
  /** The CIDRs accepted, for display. */
  readonly cidrs: readonly string[];
  allows(address: string): boolean;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** `::ffff:127.0.0.1` (a dual-stack socket) -> `127.0.0.1`. */
export function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function createWhitelist(cidrs: readonly string[]): Whitelist {
  const ranges = cidrs.map((cidr) => {
    const [ip, bitsText] = cidr.split('/');
    const base = ipv4ToInt(ip ?? '');
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
      throw new Error(`not an IPv4 CIDR: ${cidr}`);
    }
    const size = 2 ** (32 - bits);
    const start = base - (base % size);
    return { start, end: start + size - 1 };
  });
  return {
    cidrs,
    allows(address) {
      const n = ipv4ToInt(plainAddress(address));
      return n !== undefined && ranges.some((r) => n >= r.start && n <= r.end);
    },
  };
}

export function whitelistFromEgress(egress: EgressConfig): Whitelist {
  return createWhitelist(egress.mode === 'static-ip' ? [`${egress.sourceIp}/32`] : [egress.subnet]);
}
