import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MnogateConfig, parseConfig } from '@mnogate/core';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MnogateStack, type MnogateStackProps } from '../../src/index.js';

const ROOT = new URL('../../../../', import.meta.url);

/** Parses a YAML (or JSON) text with core's parser, failing the test on any issue. */
export function parse(text: string): MnogateConfig {
  const result = parseConfig(text);
  if (!result.ok) throw new Error(`config invalid: ${JSON.stringify(result.issues, null, 2)}`);
  return result.config;
}

/** examples/aws/mnogate.yaml, parsed. */
export function loadAwsExample(): MnogateConfig {
  return parse(readFileSync(new URL('examples/aws/mnogate.yaml', ROOT), 'utf8'));
}

/**
 * The aws example with its operators replaced by `count` copies of its first one, each with its
 * own id, subnet, peer, remote CIDR, secrets and tunnel inside CIDRs (parsed like any config file:
 * JSON is YAML).
 */
export function manyOperatorsConfig(count: number, overrides: { vpnHub?: string } = {}): MnogateConfig {
  const raw = JSON.parse(JSON.stringify(loadAwsExample())) as {
    gateway: Record<string, unknown>;
    network: Record<string, unknown>;
    operators: Record<string, Cfn>[];
  };
  // the example's tunnel monitor names its own operators, which are replaced here
  delete raw.gateway.tunnelMonitor;
  const template = raw.operators[0]!;
  raw.operators = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const id = `op${String(n).padStart(2, '0')}`;
    const op = JSON.parse(JSON.stringify(template));
    op.id = id;
    op.name = `Operator ${n}`;
    op.prefixes = [`+93${60 + n}`];
    op.api.endpoints = [`https://10.${100 + n}.0.10:8443/topup`];
    op.api.credentials = { userId: `secret:mno/${id}/api#userId`, password: `secret:mno/${id}/api#password` };
    op.egress = { mode: 'cidr', subnet: `10.40.${100 + n}.0/24` };
    op.vpn.peerIp = `203.0.113.${100 + n}`;
    op.vpn.peerAsn = 65100 + n;
    op.vpn.remoteCidrs = [`10.${100 + n}.0.0/24`];
    op.vpn.tunnels.forEach((t: Record<string, unknown>, k: number) => {
      t.insideCidr = `169.254.${100 + n}.${k * 4}/30`;
      t.preSharedKey = `secret:mno/${id}/vpn#tunnel${k + 1}`;
    });
    return op;
  });
  if (overrides.vpnHub) raw.network.vpnHub = overrides.vpnHub;
  return parse(JSON.stringify(raw));
}

const outDirs: string[] = [];
/** Removes the cloud assemblies `buildStack` wrote: call from `after()`. */
export function removeBuiltStacks(): void {
  for (const d of outDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The stack in an app with cdk-nag's AwsSolutions checks, as `synthesize` builds it. */
export function buildStack(
  config: MnogateConfig,
  props: Omit<MnogateStackProps, 'config'> = {},
): { app: App; stack: MnogateStack } {
  const outdir = mkdtempSync(join(tmpdir(), 'mnogate-infra-test-'));
  outDirs.push(outdir);
  const app = new App({ outdir, analyticsReporting: false });
  const stack = new MnogateStack(app, 'Mnogate', {
    config,
    env: { region: config.network.region },
    ...props,
  });
  Aspects.of(app).add(new AwsSolutionsChecks());
  return { app, stack };
}

/** A value of a synthesized CloudFormation template: untyped JSON that tests index into freely. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON has no static type
export type Cfn = any;

export type TemplateJson = {
  Resources: Record<string, { Type: string; Properties?: Cfn; DependsOn?: string[] }>;
};

/** The logical ids of the resources of `type` whose logical id starts with `prefix`. */
export function idsOf(template: TemplateJson, type: string, prefix = ''): string[] {
  return Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === type && id.startsWith(prefix))
    .map(([id]) => id);
}

/** The one resource of `type` whose logical id starts with `prefix`. */
export function oneOf(template: TemplateJson, type: string, prefix: string): { id: string; resource: Cfn } {
  const ids = idsOf(template, type, prefix);
  if (ids.length !== 1)
    throw new Error(`expected one ${type} ${prefix}*, found ${ids.length}: ${ids.join(', ')}`);
  return { id: ids[0]!, resource: template.Resources[ids[0]!] };
}

/** Every `Ref` target anywhere inside a value. */
export function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v)) out.add(String(v[0]));
      else refsIn(v, out);
    }
  }
  return out;
}
