import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConfigIssue, configJsonSchema, type ErrorCode, parseConfig } from '@mnogate/core';
import { breakConfig, lineOf } from './fixtures/base-config.js';

/** The base fixture (alpha has a vpn, beta has none) with a gateway.tunnelMonitor section. */
function withMonitor(section: string): string {
  return breakConfig('  secrets: { provider: env }\n', `  secrets: { provider: env }\n${section}`);
}

function issuesOf(text: string): readonly ConfigIssue[] {
  const result = parseConfig(text);
  assert.equal(result.ok, false, 'the configuration should be refused');
  return result.issues;
}

function expectIssue(text: string, code: ErrorCode, path: string, line: number): void {
  const issues = issuesOf(text);
  const match = issues.filter((i) => i.code === code && i.path === path);
  assert.equal(match.length, 1, `expected one ${code} at ${path}; got ${JSON.stringify(issues, null, 1)}`);
  assert.equal(match[0]!.line, line, `line of ${code} at ${path}`);
}

const CLOUDWATCH = `  tunnelMonitor:
    cloudwatch:
      vpnConnections:
        alpha: vpn-0123456789abcdef0
`;

describe('gateway.tunnelMonitor', () => {
  it('keeps the VICI form valid, intervalMs optional (the gateway applies the default)', () => {
    for (const section of [
      '  tunnelMonitor: { viciSocket: /run/mnolab/cloud/charon.vici, intervalMs: 2000 }\n',
      '  tunnelMonitor: { viciSocket: /run/charon.vici }\n',
    ]) {
      const result = parseConfig(withMonitor(section));
      assert.equal(result.ok, true, JSON.stringify(result.issues));
      if (!result.ok) continue;
      const tm = result.config.gateway.tunnelMonitor;
      assert.ok(tm?.viciSocket);
      assert.equal(tm.cloudwatch, undefined);
    }
    const parsed = parseConfig(withMonitor('  tunnelMonitor: { viciSocket: /run/charon.vici }\n'));
    assert.equal(parsed.ok && parsed.config.gateway.tunnelMonitor?.intervalMs, undefined);
  });

  it('accepts CloudWatch with VPN connection ids and optional pinned outside IPs', () => {
    const result = parseConfig(
      withMonitor(`${CLOUDWATCH}      tunnelOutsideIps:
        alpha: [198.51.100.20, 198.51.100.10]
    intervalMs: 120000
`),
    );
    assert.equal(result.ok, true, JSON.stringify(result.issues));
    assert.ok(result.ok);
    const tm = result.config.gateway.tunnelMonitor;
    assert.deepEqual(tm?.cloudwatch?.vpnConnections, { alpha: 'vpn-0123456789abcdef0' });
    // the order is the config's: tunnel 1 first, whatever the numeric order
    assert.deepEqual(tm?.cloudwatch?.tunnelOutsideIps, { alpha: ['198.51.100.20', '198.51.100.10'] });
    assert.equal(tm?.cloudwatch?.region, undefined);
    assert.equal(tm?.intervalMs, 120_000);
    assert.equal(tm?.viciSocket, undefined);
    // short (8 hex digit) connection ids, and no outside IPs (discovery)
    const short = parseConfig(withMonitor(CLOUDWATCH.replace('vpn-0123456789abcdef0', 'vpn-1a2b3c4d')));
    assert.equal(short.ok, true, JSON.stringify(short.issues));
    assert.ok(short.ok);
    assert.deepEqual(short.config.gateway.tunnelMonitor?.cloudwatch?.tunnelOutsideIps, {});
  });

  it('refuses both sources, and neither, at gateway.tunnelMonitor', () => {
    let text = withMonitor(`  tunnelMonitor:
    viciSocket: /run/charon.vici
    cloudwatch:
      vpnConnections: { alpha: vpn-0123456789abcdef0 }
`);
    expectIssue(text, 'MNOGATE_ERR_CONFIG_SCHEMA', 'gateway.tunnelMonitor', lineOf(text, 'viciSocket:'));
    text = withMonitor('  tunnelMonitor:\n    intervalMs: 1000\n');
    expectIssue(text, 'MNOGATE_ERR_CONFIG_SCHEMA', 'gateway.tunnelMonitor', lineOf(text, 'intervalMs: 1000'));
  });

  it('refuses a malformed VPN connection id, outside IP list or unknown key at its path', () => {
    let text = withMonitor(CLOUDWATCH.replace('vpn-0123456789abcdef0', 'cgw-0123456789abcdef0'));
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_SCHEMA',
      'gateway.tunnelMonitor.cloudwatch.vpnConnections.alpha',
      lineOf(text, 'alpha: cgw-'),
    );
    text = withMonitor(`${CLOUDWATCH}      tunnelOutsideIps:\n        alpha: [198.51.100.10]\n`);
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_SCHEMA',
      'gateway.tunnelMonitor.cloudwatch.tunnelOutsideIps.alpha',
      lineOf(text, 'alpha: [198'),
    );
    text = withMonitor(`${CLOUDWATCH}      tunnelOutsideIps:\n        alpha: [198.51.100.10, not-an-ip]\n`);
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_SCHEMA',
      'gateway.tunnelMonitor.cloudwatch.tunnelOutsideIps.alpha[1]',
      lineOf(text, 'alpha: [198'),
    );
    text = withMonitor(`${CLOUDWATCH}      namespace: AWS/VPN\n`);
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_SCHEMA',
      'gateway.tunnelMonitor.cloudwatch',
      lineOf(text, 'vpnConnections:'),
    );
  });

  it('refuses a VPN connection for an unknown operator or one without a vpn section', () => {
    let text = withMonitor(`${CLOUDWATCH}        gamma: vpn-0aaaaaaaaaaaaaaa1\n`);
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_UNKNOWN_OPERATOR',
      'gateway.tunnelMonitor.cloudwatch.vpnConnections.gamma',
      lineOf(text, 'gamma: vpn-'),
    );
    text = withMonitor(`${CLOUDWATCH}        beta: vpn-0aaaaaaaaaaaaaaa1\n`);
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_OPERATOR_NO_VPN',
      'gateway.tunnelMonitor.cloudwatch.vpnConnections.beta',
      lineOf(text, 'beta: vpn-'),
    );
  });

  it('refuses outside IPs for an operator that is unknown, has no vpn, or has no VPN connection entry', () => {
    const section = (key: string) =>
      withMonitor(`${CLOUDWATCH}      tunnelOutsideIps:\n        ${key}: [198.51.100.10, 198.51.100.11]\n`);
    let text = section('gamma');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_UNKNOWN_OPERATOR',
      'gateway.tunnelMonitor.cloudwatch.tunnelOutsideIps.gamma',
      lineOf(text, 'gamma: ['),
    );
    text = section('beta');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_OPERATOR_NO_VPN',
      'gateway.tunnelMonitor.cloudwatch.tunnelOutsideIps.beta',
      lineOf(text, 'beta: ['),
    );
    // alpha has a vpn but the connection map does not name it
    text = withMonitor(`  tunnelMonitor:
    cloudwatch:
      vpnConnections: {}
      tunnelOutsideIps:
        alpha: [198.51.100.10, 198.51.100.11]
`);
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_UNKNOWN_OPERATOR',
      'gateway.tunnelMonitor.cloudwatch.tunnelOutsideIps.alpha',
      lineOf(text, 'alpha: ['),
    );
  });

  it('refuses one VPN connection or outside IP used twice', () => {
    // a second VPN operator, so that the duplicate is not also an unknown operator
    const twoVpns = breakConfig(
      '    egress: { mode: cidr, subnet: 10.40.2.0/24 }\n',
      `    egress: { mode: cidr, subnet: 10.40.2.0/24 }
    vpn:
      peerIp: 203.0.113.20
      remoteCidrs: [10.202.0.0/24]
      peerAsn: 65020
      tunnels:
        - insideCidr: 169.254.20.0/30
          preSharedKey: secret:beta-vpn#t1
          phase1: { encryption: [AES256], integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 28800 }
          phase2: { encryption: [AES256], integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 3600 }
        - insideCidr: 169.254.20.4/30
          preSharedKey: secret:beta-vpn#t2
          phase1: { encryption: [AES256], integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 28800 }
          phase2: { encryption: [AES256], integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 3600 }
`,
    );
    const good = breakConfig(
      '  secrets: { provider: env }\n',
      `  secrets: { provider: env }\n${CLOUDWATCH}        beta: vpn-0bbbbbbbbbbbbbbb2\n`,
      twoVpns,
    );
    const parsed = parseConfig(good);
    assert.equal(parsed.ok, true, JSON.stringify(parsed.issues));

    let text = good.replace('beta: vpn-0bbbbbbbbbbbbbbb2', 'beta: vpn-0123456789abcdef0');
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_DUPLICATE_ID',
      'gateway.tunnelMonitor.cloudwatch.vpnConnections.beta',
      lineOf(text, 'beta: vpn-'),
    );
    text = good.replace(
      '        beta: vpn-0bbbbbbbbbbbbbbb2\n',
      `        beta: vpn-0bbbbbbbbbbbbbbb2
      tunnelOutsideIps:
        alpha: [198.51.100.10, 198.51.100.11]
        beta: [198.51.100.12, 198.51.100.10]
`,
    );
    expectIssue(
      text,
      'MNOGATE_ERR_CONFIG_DUPLICATE_ID',
      'gateway.tunnelMonitor.cloudwatch.tunnelOutsideIps.beta[1]',
      lineOf(text, 'beta: [198'),
    );
  });

  it('tells editors in the JSON Schema that exactly one source is chosen', () => {
    const schema = configJsonSchema() as {
      properties: { gateway: { properties: { tunnelMonitor: Record<string, unknown> } } };
    };
    const tm = schema.properties.gateway.properties.tunnelMonitor as {
      oneOf: unknown;
      properties: Record<string, unknown>;
    };
    assert.deepEqual(tm.oneOf, [{ required: ['viciSocket'] }, { required: ['cloudwatch'] }]);
    assert.ok(tm.properties.cloudwatch);
  });
});
