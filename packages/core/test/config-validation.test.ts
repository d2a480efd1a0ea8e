import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type ConfigIssue, type ErrorCode, parseConfig } from '@mnogate/core';
import { BASE_CONFIG, breakConfig, lineOf } from './fixtures/base-config.js';

function issuesOf(text: string): readonly ConfigIssue[] {
  const result = parseConfig(text);
  assert.equal(result.ok, false, 'the configuration should be refused');
  return result.issues;
}

/** Asserts that exactly one issue has `code` at `path`, on `line`. */
function expectIssue(text: string, code: ErrorCode, path: string, line: number): void {
  const issues = issuesOf(text);
  const match = issues.filter((i) => i.code === code && i.path === path);
  assert.equal(match.length, 1, `expected one ${code} at ${path}; got ${JSON.stringify(issues, null, 1)}`);
  assert.equal(match[0]!.line, line, `line of ${code} at ${path}`);
}

describe('configuration validation', () => {
  it('accepts the base fixture and both examples', () => {
    assert.equal(parseConfig(BASE_CONFIG).ok, true, JSON.stringify(parseConfig(BASE_CONFIG).issues));
    for (const file of [
      'examples/demo/mnogate.yaml',
      'examples/aws/mnogate.yaml',
      'examples/lab/mnogate.yaml',
    ]) {
      let text: string;
      try {
        text = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
      } catch {
        continue; // the lab example arrives with the lab
      }
      const result = parseConfig(text);
      assert.equal(result.ok, true, `${file}: ${JSON.stringify(result.issues)}`);
    }
  });

  it('reports invalid YAML with its line', () => {
    const text = breakConfig('    name: Beta Telecom', '    name: [Beta');
    const issues = issuesOf(text);
    assert.equal(issues[0]!.code, 'MNOGATE_ERR_CONFIG_YAML');
    assert.ok(issues[0]!.line > 0);
  });

  it('reports schema errors (unknown key, wrong type, bad id) at their path and line', () => {
    let text = breakConfig(
      '    currency: AFN\n    products:\n      - { id',
      '    currency: AFN\n    colour: red\n    products:\n      - { id',
    );
    expectIssue(text, 'MNOGATE_ERR_CONFIG_SCHEMA', 'operators[1]', lineOf(text, '- id: beta'));
    text = breakConfig('id: beta', 'id: Beta_Telecom');
    expectIssue(text, 'MNOGATE_ERR_CONFIG_SCHEMA', 'operators[1].id', lineOf(text, 'id: Beta_Telecom'));
    text = breakConfig('peerAsn: 65010', 'peerAsn: "lots"');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_SCHEMA',
      'operators[0].vpn.peerAsn',
      lineOf(text, 'peerAsn: "lots"'),
    );
    text = breakConfig('version: 1', 'version: 2');
    expectIssue(text, 'MNOGATE_ERR_CONFIG_SCHEMA', 'version', 1);
  });

  it('refuses a duplicate operator id', () => {
    const text = breakConfig('id: beta', 'id: alpha');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_DUPLICATE_ID',
      'operators[1].id',
      lineOf(text, 'id: alpha', 'name: Alpha'),
    );
  });

  it('refuses a duplicate product id within an operator', () => {
    const text = breakConfig('id: data-1gb', 'id: airtime');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_DUPLICATE_ID',
      'operators[0].products[1].id',
      lineOf(text, 'id: airtime', 'kind: airtime'),
    );
  });

  it('refuses an identical prefix on two operators but accepts nested prefixes', () => {
    assert.equal(parseConfig(BASE_CONFIG).ok, true, '+9370 and +93701 nest: fine');
    const text = breakConfig('prefixes: ["+9379"]', 'prefixes: ["+9379", "+93701"]');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_DUPLICATE_PREFIX',
      'operators[1].prefixes[1]',
      lineOf(text, '"+9379", "+93701"'),
    );
  });

  it("refuses a prefix outside the operator's country", () => {
    const text = breakConfig('prefixes: ["+9379"]', 'prefixes: ["+2547"]');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_PREFIX_COUNTRY',
      'operators[1].prefixes[0]',
      lineOf(text, '"+2547"'),
    );
  });

  it('refuses remote CIDRs that overlap the VPC, saying NAT is needed', () => {
    const text = breakConfig('remoteCidrs: [10.201.0.0/24]', 'remoteCidrs: [10.40.200.0/24]');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_CIDR_OVERLAP',
      'operators[0].vpn.remoteCidrs[0]',
      lineOf(text, '10.40.200.0/24'),
    );
    const issue = issuesOf(text).find((i) => i.code === 'MNOGATE_ERR_CONFIG_CIDR_OVERLAP')!;
    assert.match(issue.message, /NAT/);
  });

  it('refuses remote CIDRs that overlap each other', () => {
    const text = breakConfig('remoteCidrs: [10.201.0.0/24]', 'remoteCidrs: [10.201.0.0/24, 10.201.0.128/25]');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_CIDR_OVERLAP',
      'operators[0].vpn.remoteCidrs[1]',
      lineOf(text, '10.201.0.128/25'),
    );
  });

  it('refuses a subnet outside the VPC', () => {
    const text = breakConfig('subnet: 10.40.2.0/24', 'subnet: 10.41.2.0/24');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_SUBNET_OUTSIDE_VPC',
      'operators[1].egress.subnet',
      lineOf(text, '10.41.2.0/24'),
    );
  });

  it('refuses overlapping subnets', () => {
    const text = breakConfig('subnet: 10.40.2.0/24', 'subnet: 10.40.0.0/22');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_SUBNET_OVERLAP',
      'operators[1].egress.subnet',
      lineOf(text, '10.40.0.0/22'),
    );
  });

  it('refuses a static-ip source outside its subnet', () => {
    const text = breakConfig('sourceIp: 10.40.1.10', 'sourceIp: 10.40.1.99');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_EGRESS_OUTSIDE_SUBNET',
      'operators[0].egress.sourceIp',
      lineOf(text, '10.40.1.99'),
    );
  });

  for (const [what, from, to, path, marker] of [
    [
      'phase 1 encryption',
      'encryption: [AES256], integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 28800',
      'encryption: [3DES], integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 28800',
      'operators[0].vpn.tunnels[0].phase1.encryption[0]',
      '3DES',
    ],
    [
      'phase 1 integrity',
      'integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 28800',
      'integrity: [MD5], dhGroups: [14], lifetimeSeconds: 28800',
      'operators[0].vpn.tunnels[0].phase1.integrity[0]',
      'MD5',
    ],
    [
      'phase 1 DH group',
      'dhGroups: [14], lifetimeSeconds: 28800',
      'dhGroups: [5], lifetimeSeconds: 28800',
      'operators[0].vpn.tunnels[0].phase1.dhGroups[0]',
      'dhGroups: [5]',
    ],
    [
      'phase 1 lifetime',
      'lifetimeSeconds: 28800 }',
      'lifetimeSeconds: 86400 }',
      'operators[0].vpn.tunnels[0].phase1.lifetimeSeconds',
      '86400',
    ],
    [
      'phase 2 lifetime',
      'lifetimeSeconds: 3600 }',
      'lifetimeSeconds: 600 }',
      'operators[0].vpn.tunnels[0].phase2.lifetimeSeconds',
      'lifetimeSeconds: 600',
    ],
    [
      'IKE version',
      'preSharedKey: secret:alpha-vpn#t1\n',
      'preSharedKey: secret:alpha-vpn#t1\n          ikeVersions: [ikev3]\n',
      'operators[0].vpn.tunnels[0].ikeVersions[0]',
      'ikev3',
    ],
    [
      'DPD timeout',
      'preSharedKey: secret:alpha-vpn#t1\n',
      'preSharedKey: secret:alpha-vpn#t1\n          dpdTimeoutSeconds: 10\n',
      'operators[0].vpn.tunnels[0].dpdTimeoutSeconds',
      'dpdTimeoutSeconds: 10',
    ],
    [
      'DPD action',
      'preSharedKey: secret:alpha-vpn#t1\n',
      'preSharedKey: secret:alpha-vpn#t1\n          dpdTimeoutAction: hold\n',
      'operators[0].vpn.tunnels[0].dpdTimeoutAction',
      'hold',
    ],
    [
      'startup action',
      'preSharedKey: secret:alpha-vpn#t1\n',
      'preSharedKey: secret:alpha-vpn#t1\n          startupAction: route\n',
      'operators[0].vpn.tunnels[0].startupAction',
      'startupAction: route',
    ],
  ] as const) {
    it(`refuses a ${what} outside what AWS allows`, () => {
      const text = breakConfig(from, to);
      expectIssue(text, 'MNOGATE_ERR_CONFIG_TUNNEL_OPTION', path, lineOf(text, marker));
    });
  }

  it('refuses a tunnel inside CIDR that is not a /30 in 169.254/16, is reserved, or is reused', () => {
    let text = breakConfig('insideCidr: 169.254.10.0/30', 'insideCidr: 169.254.10.0/29');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_TUNNEL_INSIDE_CIDR',
      'operators[0].vpn.tunnels[0].insideCidr',
      lineOf(text, '169.254.10.0/29'),
    );
    text = breakConfig('insideCidr: 169.254.10.0/30', 'insideCidr: 10.0.0.0/30');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_TUNNEL_INSIDE_CIDR',
      'operators[0].vpn.tunnels[0].insideCidr',
      lineOf(text, '10.0.0.0/30'),
    );
    text = breakConfig('insideCidr: 169.254.10.0/30', 'insideCidr: 169.254.5.0/30');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_TUNNEL_INSIDE_CIDR',
      'operators[0].vpn.tunnels[0].insideCidr',
      lineOf(text, '169.254.5.0/30'),
    );
    text = breakConfig('insideCidr: 169.254.10.4/30', 'insideCidr: 169.254.10.0/30');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_TUNNEL_INSIDE_CIDR',
      'operators[0].vpn.tunnels[1].insideCidr',
      lineOf(text, 'insideCidr: 169.254.10.0/30', 'secret:alpha-vpn#t1'),
    );
  });

  it('refuses the same ASN on both sides', () => {
    const text = breakConfig('peerAsn: 65010', 'peerAsn: 64512');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_ASN_CLASH',
      'operators[0].vpn.peerAsn',
      lineOf(text, 'peerAsn: 64512'),
    );
  });

  it('refuses literal secrets where a secret reference belongs', () => {
    let text = breakConfig('password: secret:alpha#password', 'password: hunter2');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_LITERAL_SECRET',
      'operators[0].api.credentials.password',
      lineOf(text, 'hunter2'),
    );
    text = breakConfig('credentials: secret:beta-api', 'credentials: "0123456789abcdef"');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_LITERAL_SECRET',
      'operators[1].api.credentials',
      lineOf(text, '0123456789abcdef'),
    );
    text = breakConfig('preSharedKey: secret:alpha-vpn#t2', 'preSharedKey: sup3rs3cret');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_LITERAL_SECRET',
      'operators[0].vpn.tunnels[1].preSharedKey',
      lineOf(text, 'sup3rs3cret'),
    );
    text = breakConfig(
      'credentials: secret:beta-api',
      'credentials: secret:beta-api\n      options: { apiKey: abc123 }',
    );
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_LITERAL_SECRET',
      'operators[1].api.options.apiKey',
      lineOf(text, 'apiKey: abc123'),
    );
    text = breakConfig(
      'endpoints: ["http://127.0.1.4:9004"]',
      'endpoints: ["http://user:pw@127.0.1.4:9004"]',
    );
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_LITERAL_SECRET',
      'operators[1].api.endpoints[0]',
      lineOf(text, 'user:pw@'),
    );
  });

  it('refuses empty or inconsistent products', () => {
    let text = breakConfig(
      '      - { id: airtime, kind: airtime, denominations: ["50", "100"] }',
      '      []',
    ).replace('    products:\n      []', '    products: []');
    expectIssue(text, 'MNOGATE_ERR_CONFIG_PRODUCTS', 'operators[1].products', lineOf(text, 'products: []'));
    text = breakConfig(
      '{ id: airtime, kind: airtime, denominations: ["50", "100"] }',
      '{ id: airtime, kind: airtime }',
    );
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_PRODUCTS',
      'operators[1].products[0]',
      lineOf(text, '{ id: airtime, kind: airtime }'),
    );
    text = breakConfig('range: { min: "10", max: "5000" }', 'range: { min: "500", max: "50" }');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_PRODUCTS',
      'operators[0].products[0].range',
      lineOf(text, 'min: "500"'),
    );
    text = breakConfig('denominations: ["300"]', 'denominations: ["3.005"]');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_PRODUCTS',
      'operators[0].products[1]',
      lineOf(text, '- id: data-1gb'),
    );
    text = breakConfig('denominations: ["50", "100"]', 'denominations: ["50", "50.00"]');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_PRODUCTS',
      'operators[1].products[0].denominations',
      lineOf(text, '"50.00"'),
    );
    text = breakConfig('denominations: ["300"]', 'denominations: ["0"]');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_PRODUCTS',
      'operators[0].products[1]',
      lineOf(text, '- id: data-1gb'),
    );
  });

  it('refuses an unknown currency', () => {
    const text = breakConfig(
      '    currency: AFN\n    products:\n      - { id',
      '    currency: ZZZ\n    products:\n      - { id',
    );
    expectIssue(text, 'MNOGATE_ERR_MONEY_CURRENCY', 'operators[1].currency', lineOf(text, 'currency: ZZZ'));
  });

  it('lists every problem at once, in line order', () => {
    const text = breakConfig(
      'id: beta',
      'id: alpha',
      breakConfig('password: secret:alpha#password', 'password: hunter2'),
    );
    const issues = issuesOf(text);
    assert.deepEqual(
      issues.map((i) => i.code),
      ['MNOGATE_ERR_CONFIG_LITERAL_SECRET', 'MNOGATE_ERR_CONFIG_DUPLICATE_ID'],
    );
  });
});
