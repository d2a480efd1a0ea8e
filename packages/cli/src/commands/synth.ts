import { resolve } from 'node:path';
import { isMnogateError } from '@mnogate/core';
import { type SynthesisResult, synthesize } from '@mnogate/infra';
import { DEFAULT_CONFIG_PATH, parseCommandArgs } from '../args.js';
import { loadConfigFile } from '../load-config.js';

export const summary = 'write the AWS CloudFormation templates for the config (offline), checked by cdk-nag';
export const usage = `usage: mnogate synth [--config mnogate.yaml] [--out cdk.out] [--account <id>] [--region <r>] [--json]

Builds the AWS CDK app from the configuration (VPC and subnets from the address plan, the VPN hub,
per operator its customer gateway, VPN connection, routes, security group, network ACL, secrets,
SSM parameter and tunnel alarms, the gateway on Fargate or a static-IP instance, the dashboard)
into a cloud assembly, and runs cdk-nag's AwsSolutions checks over it. Offline: no AWS credentials,
no Docker (the gateway image is staged as an asset and built at deploy), no network.
Deploy the result with: npx cdk deploy --app <out>
Exit 0 when written with no unacknowledged cdk-nag error, 1 when the config is invalid or cdk-nag
reports errors (the templates are still written), 2 on a usage error.

  --config <file>   the configuration file (default: ${DEFAULT_CONFIG_PATH})
  --out <dir>       the cloud assembly directory (default: cdk.out)
  --account <id>    pin the templates to an account (default: account-agnostic)
  --region <r>      the region (default: the config's network.region)
  --json            print the result as JSON`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      out: { type: 'string', default: 'cdk.out' },
      account: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  const { config } = loadConfigFile(values.config);
  const started = Date.now();
  let result: SynthesisResult;
  try {
    result = synthesize(config, {
      outDir: resolve(values.out),
      ...(values.account ? { accountId: values.account } : {}),
      ...(values.region ? { region: values.region } : {}),
    });
  } catch (err) {
    if (!isMnogateError(err)) throw err;
    process.stderr.write(`${values.config}: ${err.code}: ${err.message}\n`);
    return 1;
  }
  const elapsedMs = Date.now() - started;
  const ok = result.nagErrors.length === 0;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok, elapsedMs, ...result }, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  process.stdout.write(`${result.outDir}: cloud assembly written in ${(elapsedMs / 1000).toFixed(1)} s\n`);
  for (const s of result.stacks) {
    process.stdout.write(`\nstack ${s.stackName}: ${s.resourceCount} resources  (${s.templatePath})\n`);
    const rows = Object.entries(s.resourceCounts).sort(([a], [b]) => a.localeCompare(b));
    for (const [type, count] of rows) process.stdout.write(`  ${String(count).padStart(4)}  ${type}\n`);
  }
  process.stdout.write(
    `\ncdk-nag AwsSolutions: ${result.nagErrors.length} unacknowledged error(s), ${result.nagWarnings.length} warning(s)\n`,
  );
  for (const e of result.nagErrors)
    process.stderr.write(`  ${e.rule}  ${e.path}\n      ${e.message.split('\n')[0]}\n`);
  return ok ? 0 : 1;
}
