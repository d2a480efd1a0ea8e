/**
 * The schema of `mnogate.yaml`: the one file that drives the gateway, the simulators, the CDK app,
 * the peer-side VPN configuration and the lab. Strict: an unknown key is an error.
 *
 * Values whose allowed set belongs to AWS (tunnel algorithms, lifetimes, inside CIDRs) are typed
 * loosely here and checked by the semantic validator, which names the allowed values in its error.
 */
import { z } from 'zod';

/** `secret:<name>[#field]`: resolved at run time by the configured secrets provider. */
export const SECRET_REF_PATTERN = /^secret:([A-Za-z0-9._/-]+)(?:#([A-Za-z0-9._-]+))?$/;

const ipv4 = z.ipv4();
const cidrV4 = z.cidrv4();
/** A decimal amount in major units, as a string: "100", "2.50". */
const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "100" or "2.50"');
const e164Prefix = z.string().regex(/^\+[1-9]\d{0,14}$/, 'must be an E.164 prefix such as +9370');

export const listenSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  tls: z
    .strictObject({
      certFile: z.string(),
      keyFile: z.string(),
      /** When given, clients must present a certificate signed by this CA (mutual TLS). */
      caFile: z.string().optional(),
    })
    .optional(),
});

export const secretsSchema = z.discriminatedUnion('provider', [
  z.strictObject({ provider: z.literal('env'), prefix: z.string().default('MNOGATE_SECRET_') }),
  z.strictObject({
    provider: z.literal('file'),
    dir: z.string(),
    /** How often the operators' credentials are read again (a rotated file is picked up). Default 300000. */
    refreshMs: z.number().int().positive().optional(),
  }),
  z.strictObject({
    provider: z.literal('aws'),
    region: z.string().optional(),
    endpoint: z.string().optional(),
    refreshMs: z.number().int().positive().default(300_000),
  }),
]);

/** An AWS Site-to-Site VPN connection id, such as vpn-0123456789abcdef0. */
export const VPN_CONNECTION_ID_PATTERN = /^vpn-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/** The tunnel monitor's defaults: a VICI socket is local and cheap; each CloudWatch read is billed. */
export const TUNNEL_MONITOR_DEFAULTS = { viciIntervalMs: 5_000, cloudwatchIntervalMs: 60_000 } as const;

export const tunnelMonitorCloudWatchSchema = z.strictObject({
  /** The region of the VPN connections. Default: network.region. */
  region: z.string().min(1).optional(),
  /** Operator id -> its AWS Site-to-Site VPN connection id. Operators not listed are not monitored. */
  vpnConnections: z.record(
    z.string(),
    z.string().regex(VPN_CONNECTION_ID_PATTERN, 'must be a VPN connection id such as vpn-0123456789abcdef0'),
  ),
  /**
   * Operator id -> AWS's outside IPs of its tunnel 1 and tunnel 2 (the order of vpn.tunnels). Without
   * them, the two TunnelIpAddress values CloudWatch lists for the connection are taken in ascending order.
   */
  tunnelOutsideIps: z.record(z.string(), z.tuple([ipv4, ipv4])).default({}),
});

/** Exactly one source: `viciSocket` (a charon we run) or `cloudwatch` (AWS's managed VPN). */
export const tunnelMonitorSchema = z
  .strictObject({
    /** VICI socket of the charon running our end of the tunnels (a self-managed VPN endpoint, the lab's cloud edge). */
    viciSocket: z.string().min(1).optional(),
    /** AWS Site-to-Site VPN: each tunnel's TunnelState metric (namespace AWS/VPN) from CloudWatch. */
    cloudwatch: tunnelMonitorCloudWatchSchema.optional(),
    /** How often each operator's tunnels are read and probed. Default: 5 000 with VICI, 60 000 with CloudWatch. */
    intervalMs: z.number().int().positive().optional(),
  })
  .check((ctx) => {
    const v = ctx.value;
    if ((v.viciSocket === undefined) === (v.cloudwatch === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        path: [],
        message:
          v.viciSocket === undefined
            ? 'choose a source: viciSocket or cloudwatch'
            : 'choose one source: viciSocket or cloudwatch, not both',
      });
    }
  })
  .meta({ oneOf: [{ required: ['viciSocket'] }, { required: ['cloudwatch'] }] });

export type TunnelMonitorConfig = z.infer<typeof tunnelMonitorSchema>;

export const gatewaySchema = z.strictObject({
  listen: listenSchema.default({ host: '127.0.0.1', port: 8080 }),
  /** `sqlite:<path>` (relative to the config file) or `postgres://...`. */
  store: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<path> or postgres://...')
    .default('sqlite:./data/mnogate.db'),
  secrets: secretsSchema.default({ provider: 'env', prefix: 'MNOGATE_SECRET_' }),
  /** How long POST /v1/recharges waits for a final state before answering 202 pending. */
  syncWindowMs: z.number().int().min(0).max(60_000).default(10_000),
  idempotencyRetentionHours: z.number().int().positive().default(168),
  /** Requests per API key (token bucket, per replica); beyond it: 429 MNOGATE_ERR_AUTH_RATE_LIMITED. */
  apiKeyRateLimit: z
    .strictObject({
      ratePerSecond: z.number().positive().default(100),
      burst: z.number().int().positive().default(200),
    })
    .default({ ratePerSecond: 100, burst: 200 }),
  /** Watch the operators' tunnels (VICI or CloudWatch); their state feeds the health API, metrics and console. */
  tunnelMonitor: tunnelMonitorSchema.optional(),
  /** Optional number-portability overrides: a CSV of `msisdn,operatorId`, relative to the config file. */
  portabilityFile: z.string().optional(),
  /**
   * CloudWatch metrics as embedded-metric-format lines on stdout (the awslogs driver ships them):
   * what the CDK dashboard graphs. Also switched on by MNOGATE_CLOUDWATCH_NAMESPACE, which the CDK sets.
   */
  cloudwatchMetrics: z
    .strictObject({
      namespace: z.string().min(1).max(255).default('Mnogate'),
      intervalMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
    })
    .optional(),
  /** The redacted HTTP exchanges with operators, kept per recharge for the console and for disputes. */
  exchanges: z
    .strictObject({
      /** Keep them at all. */
      record: z.boolean().default(true),
      /** Each request and response body is cut to this many bytes (after redaction). */
      maxBodyBytes: z.number().int().min(256).max(1_048_576).default(16_384),
      /** Deleted by the hourly housekeeping once this old. */
      retentionDays: z.number().int().positive().default(30),
    })
    .default({ record: true, maxBodyBytes: 16_384, retentionDays: 30 }),
  webhooks: z
    .strictObject({
      timeoutMs: z.number().int().positive().default(5_000),
      maxAttempts: z.number().int().positive().default(12),
      initialBackoffMs: z.number().int().positive().default(1_000),
      maxBackoffMs: z.number().int().positive().default(3_600_000),
    })
    .default({ timeoutMs: 5_000, maxAttempts: 12, initialBackoffMs: 1_000, maxBackoffMs: 3_600_000 }),
  reconciler: z
    .strictObject({
      intervalMs: z.number().int().positive().default(2_000),
      initialBackoffMs: z.number().int().positive().default(1_000),
      maxBackoffMs: z.number().int().positive().default(300_000),
      /** Status queries per recharge before it waits for an admin in the unresolved queue. */
      maxAttempts: z.number().int().positive().default(20),
      leaseMs: z.number().int().positive().default(30_000),
    })
    .default({
      intervalMs: 2_000,
      initialBackoffMs: 1_000,
      maxBackoffMs: 300_000,
      maxAttempts: 20,
      leaseMs: 30_000,
    }),
});

export const networkSchema = z.strictObject({
  vpcCidr: cidrV4,
  region: z.string().default('eu-west-1'),
  /** The VPN hub: a virtual private gateway, a transit gateway, or `auto` (TGW above 10 operators). */
  vpnHub: z.enum(['vgw', 'tgw', 'auto']).default('auto'),
  amazonSideAsn: z.number().int().positive().default(64512),
  availabilityZones: z.number().int().min(2).max(3).default(2),
  /** Non-production AWS account ids the operator subnets are shared with through RAM. */
  shareWithAccounts: z.array(z.string().regex(/^\d{12}$/)).default([]),
});

const amountRange = z.strictObject({ min: decimalString, max: decimalString });

export const productSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-kebab'),
  kind: z.enum(['airtime', 'data']),
  name: z.string().optional(),
  /** Fixed face values in major units. */
  denominations: z.array(decimalString).optional(),
  /** An open amount between min and max, inclusive, in major units. */
  range: amountRange.optional(),
  /** The operator's own product code, when its dialect wants one. */
  operatorProductId: z.string().optional(),
});

export const timeoutsSchema = z.strictObject({
  connectMs: z.number().int().positive().default(3_000),
  requestMs: z.number().int().positive().default(30_000),
  statusMs: z.number().int().positive().default(15_000),
});

export const dialectSchema = z
  .string()
  .regex(
    /^(ers|pretups|huawei-cbs|rest-json|\.{1,2}\/.+|\/.+)$/,
    'must be ers, pretups, huawei-cbs, rest-json, or a handler module path',
  );

export const apiSchema = z.strictObject({
  dialect: dialectSchema,
  /** Endpoint URLs in priority order: one per tunnel or regional endpoint. */
  endpoints: z.array(z.url()).min(1),
  timeouts: timeoutsSchema.default({ connectMs: 3_000, requestMs: 30_000, statusMs: 15_000 }),
  /** A secret reference to the whole credential object, or a map of field to secret reference. */
  credentials: z.union([z.string(), z.record(z.string(), z.string())]),
  /** Dialect parameters that are not secret: gateway codes, client ids, channel, BEID... */
  options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** Whether the operator answers a status query by our reference. */
  statusQuery: z.boolean().default(true),
  /** After this long, an operator that never saw our reference means the recharge failed. */
  settleWindowMs: z.number().int().positive().default(300_000),
});

export const egressSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('cidr'),
    subnet: cidrV4,
    /** Local address to bind outgoing connections to; when absent the OS picks one in the subnet. */
    sourceIp: ipv4.optional(),
  }),
  z.strictObject({
    mode: z.literal('static-ip'),
    /** The one source address the operator whitelists. */
    sourceIp: ipv4,
    subnet: cidrV4,
  }),
]);

export const tunnelPhaseSchema = z.strictObject({
  encryption: z.array(z.string()).min(1),
  integrity: z.array(z.string()).min(1),
  dhGroups: z.array(z.number().int()).min(1),
  lifetimeSeconds: z.number().int(),
});

export const tunnelSchema = z.strictObject({
  /** A /30 in 169.254.0.0/16, outside AWS's reserved blocks. */
  insideCidr: cidrV4,
  /** A secret reference: secret:<name>[#field]. */
  preSharedKey: z.string(),
  ikeVersions: z.array(z.string()).min(1).default(['ikev2']),
  phase1: tunnelPhaseSchema,
  phase2: tunnelPhaseSchema,
  dpdTimeoutSeconds: z.number().int().default(30),
  dpdTimeoutAction: z.string().default('restart'),
  startupAction: z.string().default('start'),
  rekeyMarginTimeSeconds: z.number().int().default(270),
  logging: z.boolean().default(true),
});

export const vpnSchema = z.strictObject({
  peerIp: ipv4,
  remoteCidrs: z.array(cidrV4).min(1),
  routing: z.enum(['static', 'bgp']).default('static'),
  peerAsn: z.number().int().positive().default(65000),
  tunnels: z.array(tunnelSchema).length(2, 'a VPN connection has exactly two tunnels'),
  /** TCP ports of the operator's API behind the tunnel (security group and NACL rules). */
  apiPorts: z.array(z.number().int().min(1).max(65535)).min(1).default([443]),
});

export const circuitSchema = z.strictObject({
  /** Consecutive failed calls (timeouts, resets, 5xx, unreachable) that open the circuit. */
  failureThreshold: z.number().int().positive().default(5),
  /** How long an open circuit refuses before letting one probe call through (half-open). */
  cooldownMs: z.number().int().positive().default(30_000),
});

export const limitsSchema = z.strictObject({
  /** Calls in flight to the operator at once; more are refused at once (bulkhead). */
  concurrency: z.number().int().positive().default(50),
  /** Sustained calls per second (token bucket, shared by every replica on PostgreSQL). */
  ratePerSecond: z.number().positive().default(50),
  /** Bucket size: calls allowed in a burst. Default: one second's worth. */
  burst: z.number().int().positive().optional(),
  circuit: circuitSchema.default({ failureThreshold: 5, cooldownMs: 30_000 }),
  /** How often each endpoint is probed by a TCP connect from the egress source; 0 turns probing off. */
  probeIntervalMs: z.number().int().min(0).default(10_000),
});

export const operatorSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be lower-kebab, such as afghan-wireless'),
  name: z.string().min(1),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as AF'),
  prefixes: z.array(e164Prefix).min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as AFN'),
  products: z.array(productSchema),
  api: apiSchema,
  egress: egressSchema,
  vpn: vpnSchema.optional(),
  limits: limitsSchema.default({
    concurrency: 50,
    ratePerSecond: 50,
    circuit: { failureThreshold: 5, cooldownMs: 30_000 },
    probeIntervalMs: 10_000,
  }),
});

export const simulatorSchema = z.strictObject({
  /** Where the simulators' control API listens. */
  control: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(9099),
    })
    .default({ host: '127.0.0.1', port: 9099 }),
});

export const configSchema = z.strictObject({
  version: z.literal(1),
  gateway: gatewaySchema.default(gatewaySchema.parse({})),
  network: networkSchema,
  operators: z.array(operatorSchema),
  simulator: simulatorSchema.default({ control: { host: '127.0.0.1', port: 9099 } }),
});

export type MnogateConfig = z.infer<typeof configSchema>;
export type GatewayConfig = z.infer<typeof gatewaySchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;
export type OperatorConfig = z.infer<typeof operatorSchema>;
export type ProductConfig = z.infer<typeof productSchema>;
export type ApiConfig = z.infer<typeof apiSchema>;
export type EgressConfig = z.infer<typeof egressSchema>;
export type VpnConfig = z.infer<typeof vpnSchema>;
export type TunnelConfig = z.infer<typeof tunnelSchema>;
export type SecretsConfig = z.infer<typeof secretsSchema>;
export type Dialect = 'ers' | 'pretups' | 'huawei-cbs' | 'rest-json';
export const BUILTIN_DIALECTS: readonly Dialect[] = ['ers', 'pretups', 'huawei-cbs', 'rest-json'];
