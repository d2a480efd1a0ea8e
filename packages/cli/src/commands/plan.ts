import { isMnogateError } from '@mnogate/core';
import { type AddressPlan, planAddresses } from '@mnogate/network';
import { DEFAULT_CONFIG_PATH, parseCommandArgs } from '../args.js';
import { loadConfigFile } from '../load-config.js';

export const summary =
  'print the address plan: VPC subnets per AZ and each operator subnet, egress mode and pattern';
export const usage = `usage: mnogate plan [--config mnogate.yaml] [--json]

Allocates the VPC deterministically: per availability zone a public and a private subnet (from the
space the operator subnets leave free, lowest first), and per operator its configured subnet (CIDR
egress: split in two halves, one per AZ, for a container service behind an internal ALB; static IP:
one subnet in AZ 0 for an instance with an Elastic IP). Offline: reads only the config file.
Exit 0 on success, 1 when the config is invalid or cannot be allocated, 2 on a usage error.

  --config <file>  the configuration file (default: ${DEFAULT_CONFIG_PATH})
  --json           print the plan as JSON`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { config: { type: 'string', default: DEFAULT_CONFIG_PATH }, json: { type: 'boolean', default: false } },
    usage,
  );
  const { config } = loadConfigFile(values.config);
  let plan: AddressPlan;
  try {
    plan = planAddresses(config);
  } catch (err) {
    if (!isMnogateError(err)) throw err;
    if (values.json)
      process.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message })}\n`);
    else process.stderr.write(`${values.config}: ${err.code}: ${err.message}\n`);
    return 1;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(formatPlan(plan));
  return 0;
}

/** The plan as two plain-text tables. */
export function formatPlan(plan: AddressPlan): string {
  const shared = [
    ['kind', 'az', 'cidr'],
    ...plan.public.map((s) => ['public', String(s.az), s.cidr]),
    ...plan.private.map((s) => ['private', String(s.az), s.cidr]),
  ];
  const operators = [
    [
      'operator',
      'subnet',
      'az subnets',
      'egress',
      'source',
      'pattern',
      'remote cidrs',
      'ports',
      'ssm parameter',
    ],
    ...plan.operators.map((o) => [
      o.operatorId,
      o.subnet,
      o.azSubnets.map((s) => `${s.az}:${s.cidr}`).join(' '),
      o.egressMode,
      o.sourceIp ?? '-',
      o.pattern,
      o.remoteCidrs.join(' ') || '-',
      o.apiPorts.join(','),
      o.ssmParameterName,
    ]),
  ];
  return [
    `VPC ${plan.vpcCidr} across ${plan.azCount} availability zones`,
    '',
    ...table(shared),
    '',
    ...table(operators),
    '',
  ].join('\n');
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}
