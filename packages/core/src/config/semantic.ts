/**
 * Semantic rules over a schema-valid configuration. Each rule reports every violation it finds,
 * with the YAML path and line, so `mnogate validate` lists all problems at once.
 */
import { type CountryCode, getCountryCallingCode } from 'libphonenumber-js/max';
import type { ErrorCode } from '../errors.js';
import { currencyExponent } from '../money/currencies.js';
import { type Cidr, contains, overlaps, parseCidr, parseIpv4 } from '../net/cidr.js';
import { type ConfigIssue, formatPath, type PathSegment } from './issues.js';
import type { SourceMap } from './parse.js';
import { type MnogateConfig, type OperatorConfig, SECRET_REF_PATTERN, type TunnelConfig } from './schema.js';

/** What AWS Site-to-Site VPN accepts for each tunnel option. */
export const AWS_TUNNEL_OPTIONS = {
  ikeVersions: ['ikev1', 'ikev2'],
  encryption: ['AES128', 'AES256', 'AES128-GCM-16', 'AES256-GCM-16'],
  integrity: ['SHA1', 'SHA2-256', 'SHA2-384', 'SHA2-512'],
  phase1DhGroups: [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
  phase2DhGroups: [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
  phase1LifetimeSeconds: { min: 900, max: 28_800 },
  phase2LifetimeSeconds: { min: 900, max: 3_600 },
  dpdTimeoutSecondsMin: 30,
  dpdTimeoutAction: ['clear', 'none', 'restart'],
  startupAction: ['add', 'start'],
  rekeyMarginTimeSecondsMin: 60,
  /** Inside CIDRs AWS reserves: a tunnel may not use them. */
  reservedInsideCidrs: [
    '169.254.0.0/30',
    '169.254.1.0/30',
    '169.254.2.0/30',
    '169.254.3.0/30',
    '169.254.4.0/30',
    '169.254.5.0/30',
    '169.254.169.252/30',
  ],
} as const;

/** Keys whose values are credentials wherever they appear outside a secret reference. */
const SECRET_KEY = /(pass(word)?|pwd|pin|secret|token|api[-_]?key|private[-_]?key|psk|pre[-_]?shared)/i;

type Report = (code: ErrorCode, path: readonly PathSegment[], message: string) => void;

export function validateSemantics(config: MnogateConfig, map: SourceMap): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report: Report = (code, path, message) => {
    const where = map.locate(path);
    issues.push({ code, path: formatPath(path), line: where.line, column: where.column, message });
  };
  checkIds(config, report);
  checkPrefixes(config, report);
  checkNetwork(config, report);
  config.operators.forEach((op, i) => {
    checkSecrets(op, i, report);
    checkProducts(op, i, report);
    if (op.vpn) checkVpn(config, op, i, report);
  });
  checkInsideCidrsUnique(config, report);
  checkTunnelMonitor(config, report);
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function checkIds(config: MnogateConfig, report: Report): void {
  const seen = new Map<string, number>();
  config.operators.forEach((op, i) => {
    const first = seen.get(op.id);
    if (first !== undefined) {
      report(
        'MNOGATE_ERR_CONFIG_DUPLICATE_ID',
        ['operators', i, 'id'],
        `operator id ${op.id} is already used by operators[${first}]`,
      );
    } else seen.set(op.id, i);
    const products = new Set<string>();
    op.products.forEach((p, j) => {
      if (products.has(p.id)) {
        report(
          'MNOGATE_ERR_CONFIG_DUPLICATE_ID',
          ['operators', i, 'products', j, 'id'],
          `product id ${p.id} appears twice in ${op.id}`,
        );
      }
      products.add(p.id);
    });
  });
}

function checkPrefixes(config: MnogateConfig, report: Report): void {
  const owner = new Map<string, { op: string; i: number }>();
  config.operators.forEach((op, i) => {
    let callingCode: string | undefined;
    try {
      callingCode = getCountryCallingCode(op.country as CountryCode);
    } catch {
      report('MNOGATE_ERR_CONFIG_SCHEMA', ['operators', i, 'country'], `unknown country ${op.country}`);
    }
    op.prefixes.forEach((prefix, j) => {
      const path = ['operators', i, 'prefixes', j];
      const first = owner.get(prefix);
      if (first) {
        const where = first.op === op.id ? 'twice in this operator' : `also claimed by ${first.op}`;
        report(
          'MNOGATE_ERR_CONFIG_DUPLICATE_PREFIX',
          path,
          `prefix ${prefix} is ${where} (nested prefixes are fine: the longest wins)`,
        );
      } else owner.set(prefix, { op: op.id, i });
      if (callingCode && !prefix.startsWith(`+${callingCode}`)) {
        report(
          'MNOGATE_ERR_CONFIG_PREFIX_COUNTRY',
          path,
          `prefix ${prefix} is not in ${op.country} (+${callingCode})`,
        );
      }
    });
  });
}

function cidrOf(text: string): Cidr {
  return parseCidr(text);
}

function checkNetwork(config: MnogateConfig, report: Report): void {
  const vpc = cidrOf(config.network.vpcCidr);
  const subnets: { cidr: Cidr; text: string; op: string; path: PathSegment[] }[] = [];
  const remotes: { cidr: Cidr; text: string; op: string; path: PathSegment[] }[] = [];

  config.operators.forEach((op, i) => {
    const subnetPath: PathSegment[] = ['operators', i, 'egress', 'subnet'];
    const subnet = cidrOf(op.egress.subnet);
    if (!contains(vpc, subnet)) {
      report(
        'MNOGATE_ERR_CONFIG_SUBNET_OUTSIDE_VPC',
        subnetPath,
        `subnet ${op.egress.subnet} is outside the VPC ${config.network.vpcCidr}`,
      );
    }
    for (const other of subnets) {
      if (overlaps(other.cidr, subnet)) {
        report(
          'MNOGATE_ERR_CONFIG_SUBNET_OVERLAP',
          subnetPath,
          `subnet ${op.egress.subnet} overlaps ${other.op}'s ${other.text}`,
        );
      }
    }
    subnets.push({ cidr: subnet, text: op.egress.subnet, op: op.id, path: subnetPath });
    if (op.egress.sourceIp !== undefined && !contains(subnet, parseIpv4(op.egress.sourceIp))) {
      report(
        'MNOGATE_ERR_CONFIG_EGRESS_OUTSIDE_SUBNET',
        ['operators', i, 'egress', 'sourceIp'],
        `source ${op.egress.sourceIp} is outside its subnet ${op.egress.subnet}`,
      );
    }
    op.vpn?.remoteCidrs.forEach((text, j) => {
      const path: PathSegment[] = ['operators', i, 'vpn', 'remoteCidrs', j];
      const remote = cidrOf(text);
      if (overlaps(remote, vpc)) {
        report(
          'MNOGATE_ERR_CONFIG_CIDR_OVERLAP',
          path,
          `remote CIDR ${text} overlaps the VPC ${config.network.vpcCidr}: NAT is needed (translate the operator's range on the VPN endpoint)`,
        );
      }
      for (const other of remotes) {
        if (overlaps(other.cidr, remote)) {
          const whose = other.op === op.id ? 'another of its remote CIDRs' : `${other.op}'s`;
          report(
            'MNOGATE_ERR_CONFIG_CIDR_OVERLAP',
            path,
            `remote CIDR ${text} overlaps ${whose} ${other.text}: NAT is needed`,
          );
        }
      }
      remotes.push({ cidr: remote, text, op: op.id, path });
    });
  });
}

function checkSecrets(op: OperatorConfig, i: number, report: Report): void {
  const literal = (path: PathSegment[], what: string) =>
    report(
      'MNOGATE_ERR_CONFIG_LITERAL_SECRET',
      path,
      `${what} must be a secret reference (secret:<name>[#field]), not a literal value`,
    );
  const creds = op.api.credentials;
  if (typeof creds === 'string') {
    if (!SECRET_REF_PATTERN.test(creds)) literal(['operators', i, 'api', 'credentials'], 'credentials');
  } else {
    for (const [field, value] of Object.entries(creds)) {
      if (!SECRET_REF_PATTERN.test(value))
        literal(['operators', i, 'api', 'credentials', field], `credential ${field}`);
    }
  }
  for (const [key, value] of Object.entries(op.api.options)) {
    if (SECRET_KEY.test(key) && !(typeof value === 'string' && SECRET_REF_PATTERN.test(value))) {
      literal(
        ['operators', i, 'api', 'options', key],
        `option ${key} looks like a credential: move it to api.credentials; it`,
      );
    }
  }
  op.api.endpoints.forEach((url, j) => {
    if (new URL(url).password)
      literal(['operators', i, 'api', 'endpoints', j], 'a password in an endpoint URL');
  });
  op.vpn?.tunnels.forEach((t, j) => {
    if (!SECRET_REF_PATTERN.test(t.preSharedKey))
      literal(['operators', i, 'vpn', 'tunnels', j, 'preSharedKey'], 'the pre-shared key');
  });
}

function checkProducts(op: OperatorConfig, i: number, report: Report): void {
  const base: PathSegment[] = ['operators', i, 'products'];
  if (op.products.length === 0) {
    report('MNOGATE_ERR_CONFIG_PRODUCTS', base, `operator ${op.id} has no products`);
    return;
  }
  const exponent = currencyExponent(op.currency);
  if (exponent === undefined) {
    report(
      'MNOGATE_ERR_MONEY_CURRENCY',
      ['operators', i, 'currency'],
      `unknown ISO 4217 currency ${op.currency}`,
    );
    return;
  }
  const decimals = (v: string) => (v.split('.')[1] ?? '').replace(/0+$/, '').length;
  const toMinor = (v: string) => Math.round(Number(v) * 10 ** exponent);
  op.products.forEach((p, j) => {
    const path = [...base, j];
    if (!p.denominations?.length && !p.range) {
      report('MNOGATE_ERR_CONFIG_PRODUCTS', path, `product ${p.id} needs denominations or a range`);
      return;
    }
    const values = [...(p.denominations ?? []), ...(p.range ? [p.range.min, p.range.max] : [])];
    for (const v of values) {
      if (decimals(v) > exponent) {
        report(
          'MNOGATE_ERR_CONFIG_PRODUCTS',
          path,
          `amount ${v} has more decimals than ${op.currency} allows (${exponent})`,
        );
      } else if (toMinor(v) <= 0) {
        report('MNOGATE_ERR_CONFIG_PRODUCTS', path, `amount ${v} must be more than zero`);
      }
    }
    if (p.range && toMinor(p.range.min) > toMinor(p.range.max)) {
      report(
        'MNOGATE_ERR_CONFIG_PRODUCTS',
        [...path, 'range'],
        `range min ${p.range.min} is above max ${p.range.max}`,
      );
    }
    const denominations = p.denominations ?? [];
    if (new Set(denominations.map(toMinor)).size !== denominations.length) {
      report(
        'MNOGATE_ERR_CONFIG_PRODUCTS',
        [...path, 'denominations'],
        `product ${p.id} lists a denomination twice`,
      );
    }
  });
}

function checkVpn(config: MnogateConfig, op: OperatorConfig, i: number, report: Report): void {
  const vpn = op.vpn!;
  if (vpn.peerAsn === config.network.amazonSideAsn) {
    report(
      'MNOGATE_ERR_CONFIG_ASN_CLASH',
      ['operators', i, 'vpn', 'peerAsn'],
      `the peer ASN ${vpn.peerAsn} equals the Amazon-side ASN: each side needs its own`,
    );
  }
  vpn.tunnels.forEach((t, j) => {
    checkTunnel(t, ['operators', i, 'vpn', 'tunnels', j], report);
  });
}

function checkTunnel(t: TunnelConfig, base: PathSegment[], report: Report): void {
  const A = AWS_TUNNEL_OPTIONS;
  const bad = (path: PathSegment[], what: string, value: unknown, allowed: string) =>
    report(
      'MNOGATE_ERR_CONFIG_TUNNEL_OPTION',
      path,
      `${what} ${JSON.stringify(value)} is not allowed by AWS (allowed: ${allowed})`,
    );
  const oneOf = <T>(path: PathSegment[], what: string, values: readonly T[], allowed: readonly T[]) => {
    values.forEach((v, k) => {
      if (!allowed.includes(v)) bad([...path, k], what, v, allowed.join(', '));
    });
  };

  const inside = parseCidr(t.insideCidr);
  const linkLocal = parseCidr('169.254.0.0/16');
  if (inside.prefix !== 30 || !contains(linkLocal, inside)) {
    report(
      'MNOGATE_ERR_CONFIG_TUNNEL_INSIDE_CIDR',
      [...base, 'insideCidr'],
      `${t.insideCidr} must be a /30 in 169.254.0.0/16`,
    );
  } else if (A.reservedInsideCidrs.some((r) => overlaps(parseCidr(r), inside))) {
    report(
      'MNOGATE_ERR_CONFIG_TUNNEL_INSIDE_CIDR',
      [...base, 'insideCidr'],
      `${t.insideCidr} is one of AWS's reserved /30s`,
    );
  }
  oneOf([...base, 'ikeVersions'], 'IKE version', t.ikeVersions, A.ikeVersions);
  for (const phase of ['phase1', 'phase2'] as const) {
    const p = t[phase];
    oneOf([...base, phase, 'encryption'], `${phase} encryption`, p.encryption, A.encryption);
    oneOf([...base, phase, 'integrity'], `${phase} integrity`, p.integrity, A.integrity);
    oneOf(
      [...base, phase, 'dhGroups'],
      `${phase} DH group`,
      p.dhGroups,
      phase === 'phase1' ? A.phase1DhGroups : A.phase2DhGroups,
    );
    const range = phase === 'phase1' ? A.phase1LifetimeSeconds : A.phase2LifetimeSeconds;
    if (p.lifetimeSeconds < range.min || p.lifetimeSeconds > range.max) {
      bad(
        [...base, phase, 'lifetimeSeconds'],
        `${phase} lifetime`,
        p.lifetimeSeconds,
        `${range.min} to ${range.max} seconds`,
      );
    }
  }
  if (t.phase2.lifetimeSeconds >= t.phase1.lifetimeSeconds) {
    bad(
      [...base, 'phase2', 'lifetimeSeconds'],
      'phase2 lifetime',
      t.phase2.lifetimeSeconds,
      'less than the phase1 lifetime',
    );
  }
  if (t.dpdTimeoutSeconds < A.dpdTimeoutSecondsMin) {
    bad(
      [...base, 'dpdTimeoutSeconds'],
      'DPD timeout',
      t.dpdTimeoutSeconds,
      `${A.dpdTimeoutSecondsMin} seconds or more`,
    );
  }
  if (!(A.dpdTimeoutAction as readonly string[]).includes(t.dpdTimeoutAction)) {
    bad(
      [...base, 'dpdTimeoutAction'],
      'DPD timeout action',
      t.dpdTimeoutAction,
      A.dpdTimeoutAction.join(', '),
    );
  }
  if (!(A.startupAction as readonly string[]).includes(t.startupAction)) {
    bad([...base, 'startupAction'], 'startup action', t.startupAction, A.startupAction.join(', '));
  }
  const maxMargin = Math.floor(t.phase2.lifetimeSeconds / 2);
  if (t.rekeyMarginTimeSeconds < A.rekeyMarginTimeSecondsMin || t.rekeyMarginTimeSeconds > maxMargin) {
    bad(
      [...base, 'rekeyMarginTimeSeconds'],
      'rekey margin',
      t.rekeyMarginTimeSeconds,
      `${A.rekeyMarginTimeSecondsMin} to half the phase2 lifetime (${maxMargin})`,
    );
  }
}

/** Inside CIDRs must differ across every tunnel of the configuration (they share one VPN hub). */
function checkInsideCidrsUnique(config: MnogateConfig, report: Report): void {
  const seen: { cidr: Cidr; where: string }[] = [];
  config.operators.forEach((op, i) => {
    op.vpn?.tunnels.forEach((t, j) => {
      let cidr: Cidr;
      try {
        cidr = parseCidr(t.insideCidr);
      } catch {
        return;
      }
      const clash = seen.find((s) => overlaps(s.cidr, cidr));
      if (clash) {
        report(
          'MNOGATE_ERR_CONFIG_TUNNEL_INSIDE_CIDR',
          ['operators', i, 'vpn', 'tunnels', j, 'insideCidr'],
          `${t.insideCidr} is already used by ${clash.where}`,
        );
      }
      seen.push({ cidr, where: `${op.id} tunnel ${j + 1}` });
    });
  });
}

/**
 * The CloudWatch tunnel monitor's maps name operators with a vpn section; a VPN connection or an
 * outside IP belongs to one operator only. An operator with a vpn but no entry is allowed: its VPN
 * connection id exists only once the CDK app has deployed it, which needs this same file.
 */
function checkTunnelMonitor(config: MnogateConfig, report: Report): void {
  const cw = config.gateway.tunnelMonitor?.cloudwatch;
  if (!cw) return;
  const base: PathSegment[] = ['gateway', 'tunnelMonitor', 'cloudwatch'];
  const byId = new Map(config.operators.map((op) => [op.id, op]));
  const checkOperator = (map: 'vpnConnections' | 'tunnelOutsideIps', operatorId: string) => {
    const op = byId.get(operatorId);
    if (!op) {
      report(
        'MNOGATE_ERR_CONFIG_UNKNOWN_OPERATOR',
        [...base, map, operatorId],
        `${map} names ${operatorId}, which is not an operator id`,
      );
    } else if (!op.vpn) {
      report(
        'MNOGATE_ERR_CONFIG_OPERATOR_NO_VPN',
        [...base, map, operatorId],
        `operator ${operatorId} has no vpn section: it has no VPN tunnels to monitor`,
      );
    }
  };
  const vpnOwner = new Map<string, string>();
  for (const [operatorId, vpnId] of Object.entries(cw.vpnConnections)) {
    checkOperator('vpnConnections', operatorId);
    const first = vpnOwner.get(vpnId);
    if (first !== undefined) {
      report(
        'MNOGATE_ERR_CONFIG_DUPLICATE_ID',
        [...base, 'vpnConnections', operatorId],
        `VPN connection ${vpnId} is already ${first}'s`,
      );
    } else vpnOwner.set(vpnId, operatorId);
  }
  const ipOwner = new Map<string, string>();
  for (const [operatorId, ips] of Object.entries(cw.tunnelOutsideIps)) {
    checkOperator('tunnelOutsideIps', operatorId);
    if (byId.get(operatorId)?.vpn && cw.vpnConnections[operatorId] === undefined) {
      report(
        'MNOGATE_ERR_CONFIG_UNKNOWN_OPERATOR',
        [...base, 'tunnelOutsideIps', operatorId],
        `tunnelOutsideIps names ${operatorId}, which has no entry in vpnConnections`,
      );
    }
    ips.forEach((ip, j) => {
      const first = ipOwner.get(ip);
      if (first !== undefined) {
        report(
          'MNOGATE_ERR_CONFIG_DUPLICATE_ID',
          [...base, 'tunnelOutsideIps', operatorId, j],
          `outside IP ${ip} is already ${first}`,
        );
      } else ipOwner.set(ip, `${operatorId} tunnel ${j + 1}'s`);
    });
  }
}
