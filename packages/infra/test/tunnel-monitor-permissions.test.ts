import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { MnogateConfig } from '@mnogate/core';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  buildStack,
  type Cfn,
  idsOf,
  loadAwsExample,
  oneOf,
  removeBuiltStacks,
  type TemplateJson,
} from './helpers/stacks.js';

const ROLES = ['Awcc', 'Roshan', 'Etisalat', 'Mtn'];

/** The CloudWatch read statements (GetMetricData, ListMetrics) of each operator's role, by operator. */
function metricReads(json: TemplateJson): Map<string, Cfn[]> {
  const out = new Map<string, Cfn[]>();
  for (const name of ROLES) {
    const policy = oneOf(json, 'AWS::IAM::Policy', `Operator${name}AccessRoleDefaultPolicy`).resource;
    const statements = (policy.Properties.PolicyDocument.Statement as Cfn[]).filter((st) =>
      [st.Action]
        .flat()
        .some((a: string) => a === 'cloudwatch:GetMetricData' || a === 'cloudwatch:ListMetrics'),
    );
    out.set(name, statements);
  }
  return out;
}

function withMonitor(edit: (config: MnogateConfig) => void): MnogateConfig {
  const config = structuredClone(loadAwsExample());
  edit(config);
  return config;
}

describe('operator roles and the CloudWatch tunnel monitor', () => {
  after(removeBuiltStacks);

  it('GIVEN the aws example (CloudWatch, one connection without pinned IPs) THEN every role may GetMetricData and ListMetrics on *, and cdk-nag is satisfied', () => {
    const config = loadAwsExample();
    assert.ok(config.gateway.tunnelMonitor?.cloudwatch, 'the example uses the CloudWatch monitor');
    const { stack } = buildStack(config);
    const json = Template.fromStack(stack).toJSON() as TemplateJson;
    for (const [name, statements] of metricReads(json)) {
      assert.deepEqual(
        statements.map((st) => ({
          Action: st.Action,
          Resource: st.Resource,
          Effect: st.Effect,
          Condition: st.Condition,
        })),
        [
          {
            Action: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
            Resource: '*',
            Effect: 'Allow',
            Condition: undefined,
          },
        ],
        name,
      );
    }
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    assert.deepEqual(
      errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 80)}`),
      [],
    );
  });

  it('GIVEN every connection with pinned outside IPs THEN the roles get GetMetricData only', () => {
    const config = withMonitor((c) => {
      const cw = c.gateway.tunnelMonitor!.cloudwatch!;
      cw.vpnConnections = { awcc: 'vpn-0a1b2c3d4e5f60718' };
      cw.tunnelOutsideIps = { awcc: ['198.51.100.10', '198.51.100.20'] };
    });
    const json = Template.fromStack(buildStack(config).stack).toJSON() as TemplateJson;
    for (const [name, statements] of metricReads(json)) {
      assert.deepEqual(
        statements.map((st) => [st.Action, st.Resource]),
        [['cloudwatch:GetMetricData', '*']],
        name,
      );
    }
  });

  it('GIVEN the VICI monitor or none THEN no role may read metrics', () => {
    for (const tunnelMonitor of [undefined, { viciSocket: '/run/charon.vici' }]) {
      const config = withMonitor((c) => {
        if (tunnelMonitor) c.gateway.tunnelMonitor = tunnelMonitor;
        else delete c.gateway.tunnelMonitor;
      });
      const json = Template.fromStack(buildStack(config).stack).toJSON() as TemplateJson;
      for (const [name, statements] of metricReads(json)) assert.deepEqual(statements, [], name);
      // nor any other role or policy of the stack
      for (const id of idsOf(json, 'AWS::IAM::Policy')) {
        assert.doesNotMatch(
          JSON.stringify(json.Resources[id]?.Properties.PolicyDocument),
          /cloudwatch:(GetMetricData|ListMetrics)/,
          id,
        );
      }
    }
  });
});
