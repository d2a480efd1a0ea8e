/**
 * The onboarding wizard's model, apart from React: the form, the operator configuration it stands
 * for, the whole document with that operator appended, and where each validator issue belongs.
 * The validator is core's parseConfig, the one `mnogate validate` and the gateway run.
 */
import { type ConfigIssue, type MnogateConfig, parseConfig } from '@mnogate/core';
import { isMap, isSeq, parseDocument } from 'yaml';

export interface ProductForm {
  id: string;
  kind: 'airtime' | 'data';
  name: string;
  mode: 'range' | 'denominations';
  min: string;
  max: string;
  denominations: string;
  operatorProductId: string;
}

export interface Pair {
  key: string;
  value: string;
}

export interface TunnelForm {
  insideCidr: string;
  preSharedKey: string;
}

export interface WizardForm {
  id: string;
  name: string;
  country: string;
  currency: string;
  prefixes: string;
  products: ProductForm[];
  dialect: string;
  endpoints: string;
  credentialsMode: 'reference' | 'fields';
  credentialsRef: string;
  credentials: Pair[];
  options: Pair[];
  connectMs: string;
  requestMs: string;
  statusMs: string;
  settleWindowMs: string;
  statusQuery: boolean;
  egressMode: 'static-ip' | 'cidr';
  subnet: string;
  sourceIp: string;
  vpn: boolean;
  peerIp: string;
  remoteCidrs: string;
  routing: 'static' | 'bgp';
  peerAsn: string;
  apiPorts: string;
  tunnels: [TunnelForm, TunnelForm];
  ikeVersion: 'ikev2' | 'ikev1';
  encryption: string;
  integrity: string;
  phase1DhGroups: string;
  phase2DhGroups: string;
  phase1LifetimeSeconds: string;
  phase2LifetimeSeconds: string;
}

export function newProduct(): ProductForm {
  return {
    id: 'airtime',
    kind: 'airtime',
    name: '',
    mode: 'range',
    min: '',
    max: '',
    denominations: '',
    operatorProductId: '',
  };
}

export function emptyForm(): WizardForm {
  return {
    id: '',
    name: '',
    country: '',
    currency: '',
    prefixes: '',
    products: [newProduct()],
    dialect: 'rest-json',
    endpoints: '',
    credentialsMode: 'reference',
    credentialsRef: '',
    credentials: [],
    options: [],
    connectMs: '',
    requestMs: '',
    statusMs: '',
    settleWindowMs: '',
    statusQuery: true,
    egressMode: 'static-ip',
    subnet: '',
    sourceIp: '',
    vpn: true,
    peerIp: '',
    remoteCidrs: '',
    routing: 'static',
    peerAsn: '65000',
    apiPorts: '443',
    tunnels: [
      { insideCidr: '', preSharedKey: '' },
      { insideCidr: '', preSharedKey: '' },
    ],
    ikeVersion: 'ikev2',
    encryption: 'AES256',
    integrity: 'SHA2-256',
    phase1DhGroups: '14',
    phase2DhGroups: '14',
    phase1LifetimeSeconds: '28800',
    phase2LifetimeSeconds: '3600',
  };
}

const list = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** A number where the text is one; the text itself otherwise, so that the schema names the field. */
const num = (text: string): number | string => {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
};

const optional = <K extends string>(key: K, text: string, value: unknown = text.trim()) =>
  text.trim() === '' ? {} : { [key]: value };

/** The operator's configuration, as it will appear under `operators:` in mnogate.yaml. */
export function operatorFromForm(f: WizardForm): Record<string, unknown> {
  const timeouts = {
    ...optional('connectMs', f.connectMs, num(f.connectMs)),
    ...optional('requestMs', f.requestMs, num(f.requestMs)),
    ...optional('statusMs', f.statusMs, num(f.statusMs)),
  };
  const options = Object.fromEntries(
    f.options.filter((o) => o.key.trim()).map((o) => [o.key.trim(), o.value]),
  );
  const phase = (dh: string, lifetime: string) => ({
    encryption: list(f.encryption),
    integrity: list(f.integrity),
    dhGroups: list(dh).map(num),
    lifetimeSeconds: num(lifetime),
  });
  return {
    id: f.id.trim(),
    name: f.name.trim(),
    country: f.country.trim(),
    prefixes: list(f.prefixes),
    currency: f.currency.trim(),
    products: f.products.map((p) => ({
      id: p.id.trim(),
      kind: p.kind,
      ...optional('name', p.name),
      ...(p.mode === 'range'
        ? { range: { min: p.min.trim(), max: p.max.trim() } }
        : { denominations: list(p.denominations) }),
      ...optional('operatorProductId', p.operatorProductId),
    })),
    api: {
      dialect: f.dialect.trim(),
      endpoints: list(f.endpoints),
      ...(Object.keys(timeouts).length > 0 ? { timeouts } : {}),
      credentials:
        f.credentialsMode === 'reference'
          ? f.credentialsRef.trim()
          : Object.fromEntries(
              f.credentials.filter((c) => c.key.trim()).map((c) => [c.key.trim(), c.value.trim()]),
            ),
      ...(Object.keys(options).length > 0 ? { options } : {}),
      ...(f.statusQuery ? {} : { statusQuery: false }),
      ...optional('settleWindowMs', f.settleWindowMs, num(f.settleWindowMs)),
    },
    egress: { mode: f.egressMode, subnet: f.subnet.trim(), ...optional('sourceIp', f.sourceIp) },
    ...(f.vpn
      ? {
          vpn: {
            peerIp: f.peerIp.trim(),
            remoteCidrs: list(f.remoteCidrs),
            routing: f.routing,
            ...(f.routing === 'bgp' ? optional('peerAsn', f.peerAsn, num(f.peerAsn)) : {}),
            apiPorts: list(f.apiPorts).map(num),
            tunnels: f.tunnels.map((t) => ({
              insideCidr: t.insideCidr.trim(),
              preSharedKey: t.preSharedKey.trim(),
              ikeVersions: [f.ikeVersion],
              phase1: phase(f.phase1DhGroups, f.phase1LifetimeSeconds),
              phase2: phase(f.phase2DhGroups, f.phase2LifetimeSeconds),
            })),
          },
        }
      : {}),
  };
}

export interface Candidate {
  /** The whole configuration with the new operator appended. */
  readonly yaml: string;
  /** The new operator's index in `operators`. */
  readonly index: number;
}

/** Appends the operator to the current configuration, keeping its comments and layout. */
export function appendOperator(baseYaml: string, operator: Record<string, unknown>): Candidate {
  const doc = parseDocument(baseYaml);
  const node = doc.createNode(operator);
  node.commentBefore = ' added with the console onboarding wizard';
  const seq = doc.get('operators', true);
  let index = 0;
  if (isSeq(seq)) {
    index = seq.items.length;
    seq.add(node);
  } else if (isMap(doc.contents)) {
    doc.set('operators', doc.createNode([]));
    (doc.get('operators', true) as { add(n: unknown): void }).add(node);
  } else {
    throw new Error('the current configuration is not a YAML mapping');
  }
  return { yaml: doc.toString({ lineWidth: 0 }), index };
}

export type StepId = 'identity' | 'products' | 'api' | 'egress' | 'vpn' | 'review';

export const STEPS: readonly { id: StepId; title: string }[] = [
  { id: 'identity', title: 'Identity and prefixes' },
  { id: 'products', title: 'Products' },
  { id: 'api', title: 'API and dialect' },
  { id: 'egress', title: 'Egress' },
  { id: 'vpn', title: 'VPN tunnels' },
  { id: 'review', title: 'Review and save' },
];

/** Every field key of the form: a path relative to the operator, as the validator writes paths. */
export function fieldKeys(f: WizardForm): string[] {
  const keys = ['id', 'name', 'country', 'currency', 'prefixes', 'products'];
  f.products.forEach((_, i) => {
    const p = `products[${i}]`;
    keys.push(p, `${p}.id`, `${p}.kind`, `${p}.name`, `${p}.range`, `${p}.range.min`, `${p}.range.max`);
    keys.push(`${p}.denominations`, `${p}.operatorProductId`);
  });
  keys.push('api', 'api.dialect', 'api.endpoints', 'api.credentials', 'api.options', 'api.statusQuery');
  keys.push(
    'api.timeouts.connectMs',
    'api.timeouts.requestMs',
    'api.timeouts.statusMs',
    'api.settleWindowMs',
  );
  keys.push('egress', 'egress.mode', 'egress.subnet', 'egress.sourceIp');
  keys.push(
    'vpn',
    'vpn.peerIp',
    'vpn.remoteCidrs',
    'vpn.routing',
    'vpn.peerAsn',
    'vpn.apiPorts',
    'vpn.tunnels',
  );
  for (const j of [0, 1]) keys.push(`vpn.tunnels[${j}].insideCidr`, `vpn.tunnels[${j}].preSharedKey`);
  keys.push('vpn.ikeVersions', 'vpn.phase1.encryption', 'vpn.phase1.integrity', 'vpn.phase1.dhGroups');
  keys.push(
    'vpn.phase1.lifetimeSeconds',
    'vpn.phase2.encryption',
    'vpn.phase2.integrity',
    'vpn.phase2.dhGroups',
  );
  keys.push('vpn.phase2.lifetimeSeconds');
  return keys;
}

/** Tunnel options the wizard sets once for both tunnels. */
const SHARED_TUNNEL_OPTION = /^vpn\.tunnels\[\d+\]\.(ikeVersions|phase1|phase2)(.*)$/;

/** The wizard field an issue path (relative to the operator) belongs to, or null. */
export function fieldOf(relativePath: string, keys: readonly string[]): string | null {
  const shared = SHARED_TUNNEL_OPTION.exec(relativePath);
  const path = shared ? `vpn.${shared[1]}${shared[2]}` : relativePath;
  let best: string | null = null;
  for (const k of keys) {
    const hit = path === k || path.startsWith(`${k}.`) || path.startsWith(`${k}[`);
    if (hit && (best === null || k.length > best.length)) best = k;
  }
  return best;
}

export function stepOf(fieldKey: string | null): StepId {
  if (fieldKey === null) return 'review';
  const head = /^[a-z]+/i.exec(fieldKey)?.[0] ?? '';
  if (['id', 'name', 'country', 'currency', 'prefixes'].includes(head)) return 'identity';
  if (head === 'products') return 'products';
  if (head === 'api' || head === 'egress' || head === 'vpn') return head;
  return 'review';
}

export interface PlacedIssues {
  /** The new operator's issues by wizard field. */
  readonly byField: ReadonlyMap<string, readonly string[]>;
  /** How many issues each step has. */
  readonly byStep: ReadonlyMap<StepId, number>;
  /** Issues of the new operator no field stands for, and issues elsewhere in the configuration. */
  readonly other: readonly { readonly path: string; readonly line?: number; readonly message: string }[];
}

export function placeIssues(
  issues: readonly { path: string; line?: number; message: string }[],
  index: number,
  keys: readonly string[],
): PlacedIssues {
  const byField = new Map<string, string[]>();
  const byStep = new Map<StepId, number>();
  const other: { path: string; line?: number; message: string }[] = [];
  const prefix = `operators[${index}]`;
  for (const issue of issues) {
    if (issue.path !== prefix && !issue.path.startsWith(`${prefix}.`)) {
      other.push(issue);
      continue;
    }
    const relative = issue.path.slice(prefix.length + 1);
    const field = relative ? fieldOf(relative, keys) : null;
    const step = stepOf(field);
    byStep.set(step, (byStep.get(step) ?? 0) + 1);
    if (field === null) other.push(issue);
    else byField.set(field, [...(byField.get(field) ?? []), issue.message]);
  }
  return { byField, byStep, other };
}

export interface Validation {
  readonly candidate: Candidate | null;
  readonly ok: boolean;
  readonly issues: readonly ConfigIssue[];
  readonly placed: PlacedIssues;
  /** The parsed configuration, when valid. */
  readonly config: MnogateConfig | null;
}

/** Appends the form's operator to the base document and runs the validator over the whole of it. */
export function validateForm(baseYaml: string, form: WizardForm): Validation {
  const keys = fieldKeys(form);
  let candidate: Candidate;
  try {
    candidate = appendOperator(baseYaml, operatorFromForm(form));
  } catch (err) {
    const issue = {
      code: 'MNOGATE_ERR_CONFIG_YAML',
      path: '(root)',
      line: 0,
      column: 0,
      message: (err as Error).message,
    };
    return {
      candidate: null,
      ok: false,
      issues: [issue as ConfigIssue],
      placed: { byField: new Map(), byStep: new Map(), other: [issue] },
      config: null,
    };
  }
  const result = parseConfig(candidate.yaml);
  return {
    candidate,
    ok: result.ok,
    issues: result.issues,
    placed: placeIssues(result.issues, candidate.index, keys),
    config: result.ok ? result.config : null,
  };
}
