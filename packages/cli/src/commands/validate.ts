import { readFileSync } from 'node:fs';
import { parseConfig } from '@mnogate/core';
import { DEFAULT_CONFIG_PATH, parseCommandArgs } from '../args.js';

export const summary = 'check a configuration file: schema and semantic rules, with the line of each problem';
export const usage = `usage: mnogate validate [--config mnogate.yaml] [--json]

Validates the configuration against the schema and the semantic rules (duplicate ids and prefixes,
CIDR overlaps, subnets, tunnel options, literal secrets, products). Exit 0 when valid, 1 when not,
2 on a usage error.

  --config <file>  the configuration file (default: ${DEFAULT_CONFIG_PATH})
  --json           print the result as JSON: { valid, summary?, issues[] }`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { config: { type: 'string', default: DEFAULT_CONFIG_PATH }, json: { type: 'boolean', default: false } },
    usage,
  );
  const file = values.config;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const issue = {
      code: 'MNOGATE_ERR_CONFIG_FILE',
      path: '(file)',
      line: 0,
      column: 0,
      message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    };
    if (values.json)
      process.stdout.write(`${JSON.stringify({ valid: false, file, issues: [issue] }, null, 2)}\n`);
    else process.stderr.write(`${file}: ${issue.code}: ${issue.message}\n`);
    return 1;
  }
  const result = parseConfig(text);
  if (!result.ok) {
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ valid: false, file, issues: result.issues }, null, 2)}\n`);
    } else {
      process.stderr.write(`${file}: ${result.issues.length} problem(s)\n`);
      for (const i of result.issues) {
        process.stderr.write(`  ${file}:${i.line}:${i.column}  ${i.path}  ${i.code}\n      ${i.message}\n`);
      }
    }
    return 1;
  }
  const { config } = result;
  const summaryData = {
    operators: config.operators.length,
    prefixes: config.operators.reduce((n, o) => n + o.prefixes.length, 0),
    subnets: config.operators.map((o) => ({
      operator: o.id,
      subnet: o.egress.subnet,
      egress: o.egress.mode,
    })),
    vpnConnections: config.operators.filter((o) => o.vpn).length,
  };
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ valid: true, file, summary: summaryData, issues: [] }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `${file}: valid\n  ${summaryData.operators} operators, ${summaryData.prefixes} prefixes, ${summaryData.vpnConnections} VPN connections, VPC ${config.network.vpcCidr}\n`,
    );
    for (const o of config.operators) {
      process.stdout.write(
        `  ${o.id.padEnd(16)} ${o.api.dialect.padEnd(11)} ${o.prefixes.join(',').padEnd(22)} ${o.egress.mode.padEnd(9)} ${o.egress.subnet}\n`,
      );
    }
  }
  return 0;
}
