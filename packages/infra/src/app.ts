import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MnogateConfig } from '@mnogate/core';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MnogateStack } from './mnogate-stack.js';
import type { AddressPlan } from './plan.js';

export interface SynthesizeOptions {
  /** The cloud assembly directory (templates, asset staging, nag reports). */
  readonly outDir: string;
  /**
   * The target account.
   * @default - none: the templates are account-agnostic
   */
  readonly accountId?: string;
  /**
   * The target region.
   * @default config.network.region
   */
  readonly region?: string;
  /**
   * The CloudFormation stack name.
   * @default 'Mnogate'
   */
  readonly stackName?: string;
  /**
   * @default planAddresses(config)
   */
  readonly plan?: AddressPlan;
  /**
   * The Docker build context of the gateway image.
   * @default the repository root
   */
  readonly imageDirectory?: string;
}

export interface NagFinding {
  /** The construct path, such as `/Mnogate/Network/FlowLog`. */
  readonly path: string;
  /** The rule, such as `AwsSolutions-IAM5`. */
  readonly rule: string;
  readonly message: string;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly templatePath: string;
  readonly resourceCount: number;
  /** Resource count by CloudFormation type, such as `AWS::EC2::Subnet`. */
  readonly resourceCounts: Readonly<Record<string, number>>;
}

export interface SynthesisResult {
  readonly outDir: string;
  readonly stacks: readonly SynthesizedStack[];
  readonly templatePaths: readonly string[];
  /** cdk-nag AwsSolutions errors that carry no acknowledgement: deployment must not proceed. */
  readonly nagErrors: readonly NagFinding[];
  /** cdk-nag AwsSolutions warnings, for the record. */
  readonly nagWarnings: readonly NagFinding[];
}

/**
 * Builds the CDK app for a configuration into `outDir` and runs cdk-nag's AwsSolutions checks over
 * it. Offline: no AWS credentials, no context lookups, no Docker (image assets are staged, built
 * at deploy).
 */
export function synthesize(config: MnogateConfig, options: SynthesizeOptions): SynthesisResult {
  const app = new App({ outdir: options.outDir, analyticsReporting: false, autoSynth: false });
  const stackName = options.stackName ?? 'Mnogate';
  new MnogateStack(app, stackName, {
    config,
    env: {
      region: options.region ?? config.network.region,
      ...(options.accountId ? { account: options.accountId } : {}),
    },
    description: 'mnogate: the VPC, operator VPNs and gateway generated from mnogate.yaml',
    ...(options.plan ? { plan: options.plan } : {}),
    ...(options.imageDirectory ? { imageDirectory: options.imageDirectory } : {}),
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const assembly = app.synth();

  const stacks: SynthesizedStack[] = [];
  const nagErrors: NagFinding[] = [];
  const nagWarnings: NagFinding[] = [];
  for (const artifact of assembly.stacks) {
    const templatePath = join(assembly.directory, artifact.templateFile);
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as {
      Resources?: Record<string, { Type: string }>;
    };
    const resourceCounts: Record<string, number> = {};
    for (const r of Object.values(template.Resources ?? {})) {
      resourceCounts[r.Type] = (resourceCounts[r.Type] ?? 0) + 1;
    }
    stacks.push({
      stackName: artifact.stackName,
      templatePath,
      resourceCount: Object.values(resourceCounts).reduce((a, b) => a + b, 0),
      resourceCounts,
    });
    for (const m of artifact.messages) {
      const text = typeof m.entry.data === 'string' ? m.entry.data : JSON.stringify(m.entry.data);
      const rule = /^(AwsSolutions-[A-Za-z0-9]+)/.exec(text)?.[1];
      if (!rule) continue;
      const finding = { path: m.id, rule, message: text };
      if (m.level === 'error') nagErrors.push(finding);
      else if (m.level === 'warning') nagWarnings.push(finding);
    }
  }
  return {
    outDir: assembly.directory,
    stacks,
    templatePaths: stacks.map((s) => s.templatePath),
    nagErrors,
    nagWarnings,
  };
}
