/**
 * IPv4 address and CIDR arithmetic. Addresses are unsigned 32-bit integers held in plain numbers
 * (never bitwise-signed), so comparisons and sums stay exact.
 */

/** A CIDR block: `base` is its network address (host bits cleared). */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `10.0.0.1` -> 167772161; throws a TypeError on anything else. */
export function parseIpv4(text: string): number {
  const m = IPV4.exec(text.trim());
  if (!m) throw new TypeError(`not an IPv4 address: ${text}`);
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || ((m[i]?.length ?? 0) > 1 && m[i]?.startsWith('0'))) {
      throw new TypeError(`not an IPv4 address: ${text}`);
    }
    n = n * 256 + octet;
  }
  return n;
}

export function formatIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not an IPv4 number: ${n}`);
  return [
    Math.floor(n / 2 ** 24) % 256,
    Math.floor(n / 2 ** 16) % 256,
    Math.floor(n / 2 ** 8) % 256,
    n % 256,
  ].join('.');
}

export function isIpv4(text: string): boolean {
  try {
    parseIpv4(text);
    return true;
  } catch {
    return false;
  }
}

/** The number of addresses in a block of this prefix length. */
export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** `10.0.0.5/24` -> { base: 10.0.0.0, prefix: 24 }: host bits are cleared. A bare address is a /32. */
export function parseCidr(text: string): Cidr {
  const [addr, len, ...rest] = text.trim().split('/');
  if (addr === undefined || rest.length > 0) throw new TypeError(`not an IPv4 CIDR: ${text}`);
  const prefix = len === undefined ? 32 : Number(len);
  if (!/^\d{1,2}$/.test(len ?? '32') || prefix > 32) throw new TypeError(`not an IPv4 CIDR: ${text}`);
  const ip = parseIpv4(addr);
  return { base: ip - (ip % blockSize(prefix)), prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

/** True when the text's host bits are zero: `10.0.0.0/24` yes, `10.0.0.5/24` no. */
export function isNetworkAligned(text: string): boolean {
  const [addr] = text.split('/');
  return addr !== undefined && parseIpv4(addr) === parseCidr(text).base;
}

/** The last address of the block. */
export function lastAddress(cidr: Cidr): number {
  return cidr.base + blockSize(cidr.prefix) - 1;
}

/** Whether `outer` contains an address (number) or the whole of another block. */
export function contains(outer: Cidr, inner: Cidr | number): boolean {
  if (typeof inner === 'number') return inner >= outer.base && inner <= lastAddress(outer);
  return inner.base >= outer.base && lastAddress(inner) <= lastAddress(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/** Splits a block into 2^(newPrefix - prefix) equal blocks, lowest first; default: two halves. */
export function split(cidr: Cidr, newPrefix = cidr.prefix + 1): Cidr[] {
  if (newPrefix < cidr.prefix || newPrefix > 32) {
    throw new RangeError(`cannot split ${formatCidr(cidr)} into /${newPrefix}`);
  }
  const out: Cidr[] = [];
  const size = blockSize(newPrefix);
  for (let base = cidr.base; base <= lastAddress(cidr); base += size) out.push({ base, prefix: newPrefix });
  return out;
}

/**
 * The lowest block of `prefix` length inside `within`, aligned on its own size, that overlaps none
 * of `used`; undefined when there is none.
 */
export function nextFreeBlock(within: Cidr, prefix: number, used: readonly Cidr[]): Cidr | undefined {
  if (prefix < within.prefix || prefix > 32) return undefined;
  const size = blockSize(prefix);
  let base = within.base;
  while (base + size - 1 <= lastAddress(within)) {
    const candidate = { base, prefix };
    const clash = used.filter((u) => overlaps(u, candidate));
    if (clash.length === 0) return candidate;
    // jump past the highest clashing block, then realign upwards
    const past = Math.max(...clash.map(lastAddress)) + 1;
    base = Math.ceil(past / size) * size;
  }
  return undefined;
}

/** The address at `index` inside the block (0 = network address); throws when outside it. */
export function hostAt(cidr: Cidr, index: number): number {
  if (index < 0 || index >= blockSize(cidr.prefix)) {
    throw new RangeError(`index ${index} outside ${formatCidr(cidr)}`);
  }
  return cidr.base + index;
}
