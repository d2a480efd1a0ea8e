import type { OperatorConfig } from '@mnogate/core';
import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { pascalId } from './plan.js';
import { parseSecretRef, type SecretRef } from './secret-ref.js';

export interface OperatorSecretsProps {
  readonly operator: OperatorConfig;
  /**
   * What happens to the secrets when the stack is deleted.
   * @default RemovalPolicy.RETAIN (credentials issued by an operator cannot be regenerated)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Length of the random part of a generated tunnel pre-shared key (AWS allows 8 to 64 characters).
   * @default 40
   */
  readonly preSharedKeyLength?: number;
}

function refsOf(values: readonly string[]): Map<string, Set<string | undefined>> {
  const byName = new Map<string, Set<string | undefined>>();
  for (const v of values) {
    const ref = parseSecretRef(v);
    if (!ref) continue;
    const fields = byName.get(ref.name) ?? new Set();
    fields.add(ref.field);
    byName.set(ref.name, fields);
  }
  return byName;
}

/**
 * Secrets Manager placeholders for one operator, named exactly as the config references them:
 * - API credentials: every referenced field is created empty (plus a random `_placeholder` key), to
 *   be filled with the values the operator issues (`aws secretsmanager put-secret-value`);
 * - tunnel pre-shared keys: generated, because the VPN connection resolves them when it is
 *   created. Secrets Manager generates one key per secret, so each PSK field is generated in a
 *   seed secret and composed into the named secret by dynamic reference, prefixed with a letter
 *   because AWS refuses a key that starts with `0`. Share the result with the operator's network
 *   team, or overwrite it with the key they dictate before creating the connection.
 */
export class OperatorSecrets extends Construct {
  /** The secrets holding the operator's API credentials: the only ones its gateway may read. */
  readonly apiSecrets: readonly ISecret[];
  /** The pre-shared key secrets by secret name. */
  readonly preSharedKeySecrets: ReadonlyMap<string, ISecret>;
  private readonly all = new Map<string, Secret>();

  constructor(scope: Construct, id: string, props: OperatorSecretsProps) {
    super(scope, id);
    const op = props.operator;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const pskLength = props.preSharedKeyLength ?? 40;

    const credentialValues =
      typeof op.api.credentials === 'string' ? [op.api.credentials] : Object.values(op.api.credentials);
    const apiSecrets: ISecret[] = [];
    for (const [name, fields] of refsOf(credentialValues)) {
      const template: Record<string, string> = {};
      for (const f of fields) if (f) template[f] = '';
      const secret = new Secret(this, `Api${pascalId(name)}`, {
        secretName: name,
        description: `mnogate: API credentials of operator ${op.id} (placeholder until the operator issues them)`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify(template),
          generateStringKey: '_placeholder',
          excludePunctuation: true,
        },
        removalPolicy,
      });
      this.all.set(name, secret);
      apiSecrets.push(secret);
    }
    this.apiSecrets = apiSecrets;

    const pskSecrets = new Map<string, ISecret>();
    for (const [name, fields] of refsOf((op.vpn?.tunnels ?? []).map((t) => t.preSharedKey))) {
      if (this.all.has(name)) throw new Error(`secret ${name} holds both API credentials and a tunnel key`);
      const seedOf = (field: string | undefined) => {
        const seed = new Secret(this, `PskSeed${pascalId(name)}${pascalId(field ?? 'value')}`, {
          description: `mnogate: random part of ${name}${field ? `#${field}` : ''} (operator ${op.id})`,
          generateSecretString: { passwordLength: pskLength, excludePunctuation: true, includeSpace: false },
          removalPolicy,
        });
        // a dynamic reference, resolved by CloudFormation at deploy: no key appears in the template
        return SecretValue.unsafePlainText(`k${seed.secretValue.unsafeUnwrap()}`);
      };
      const named = [...fields].filter((f): f is string => f !== undefined);
      const secret = new Secret(this, `Psk${pascalId(name)}`, {
        secretName: name,
        description: `mnogate: tunnel pre-shared keys of operator ${op.id}`,
        ...(named.length > 0
          ? { secretObjectValue: Object.fromEntries(named.map((f) => [f, seedOf(f)])) }
          : { secretStringValue: seedOf(undefined) }),
        removalPolicy,
      });
      this.all.set(name, secret);
      pskSecrets.set(name, secret);
    }
    this.preSharedKeySecrets = pskSecrets;
  }

  /** The CloudFormation dynamic reference for a `secret:` reference created here. */
  dynamicReference(ref: string): string {
    const parsed: SecretRef | undefined = parseSecretRef(ref);
    const secret = parsed && this.all.get(parsed.name);
    if (!parsed || !secret) throw new Error(`${ref} is not a secret of this operator`);
    return SecretValue.secretsManager(
      secret.secretArn,
      parsed.field ? { jsonField: parsed.field } : {},
    ).unsafeUnwrap();
  }
}
