/**
 * Onboard an operator step by step. Every change is validated at once by core's parseConfig over
 * the whole configuration with the new operator appended (what `mnogate validate` and the gateway
 * run), and each problem is shown at its field. Saving posts the whole document to the
 * configuration reload API, which validates it again and applies it.
 */
import { createContext, useContext, useDeferredValue, useEffect, useId, useMemo, useState } from 'react';
import { stringify } from 'yaml';
import { Link } from '../app';
import { Alert } from '../components/badges';
import { ApiError, api, describeError } from '../lib/api';
import { navigate } from '../lib/router';
import {
  emptyForm,
  fieldKeys,
  newProduct,
  operatorFromForm,
  type Pair,
  placeIssues,
  STEPS,
  type StepId,
  stepOf,
  validateForm,
  type WizardForm,
} from './model';
import { previewOperator } from './preview';

/** When the gateway cannot give its configuration, the operator is checked on its own in this VPC. */
const FALLBACK_VPC = '10.0.0.0/16';
const fallbackYaml = (vpc: string) => `version: 1\nnetwork:\n  vpcCidr: ${vpc}\noperators: []\n`;

interface FieldContext {
  errors: ReadonlyMap<string, readonly string[]>;
  shown: (key: string) => boolean;
  touch: (key: string) => void;
}
const Fields = createContext<FieldContext>({ errors: new Map(), shown: () => true, touch: () => {} });

const idOf = (key: string) => `w-${key.replace(/[^a-zA-Z0-9]+/g, '-')}`;

interface InputProps {
  readonly fkey: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly hint?: string;
  readonly placeholder?: string;
  readonly multiline?: boolean;
  readonly options?: readonly (string | { value: string; label: string })[];
}

/** A labelled input whose validator errors appear under it. */
function Field({ fkey, label, value, onChange, hint, placeholder, multiline, options }: InputProps) {
  const { errors, shown, touch } = useContext(Fields);
  const id = idOf(fkey);
  const messages = shown(fkey) ? (errors.get(fkey) ?? []) : [];
  const describedBy = [hint ? `${id}-hint` : '', messages.length ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: fkey,
    'aria-invalid': messages.length > 0 ? true : undefined,
    'aria-describedby': describedBy || undefined,
    onBlur: () => touch(fkey),
  };
  return (
    <div className="field" data-field={fkey}>
      <label htmlFor={id}>{label}</label>
      {options ? (
        <select
          {...common}
          value={value}
          onChange={(e) => {
            touch(fkey);
            onChange(e.target.value);
          }}
        >
          {options.map((o) => {
            const opt = typeof o === 'string' ? { value: o, label: o } : o;
            return (
              <option key={opt.value} value={opt.value}>
                {opt.label}
              </option>
            );
          })}
        </select>
      ) : multiline ? (
        <textarea
          {...common}
          rows={2}
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          onChange={(e) => {
            touch(fkey);
            onChange(e.target.value);
          }}
        />
      ) : (
        <input
          {...common}
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            touch(fkey);
            onChange(e.target.value);
          }}
        />
      )}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {messages.length > 0 && (
        <p className="field-error" id={`${id}-error`}>
          {messages.join('; ')}
        </p>
      )}
    </div>
  );
}

/** Errors of a whole group (a product, the credentials) that no single input stands for. */
function GroupErrors({ fkey }: { fkey: string }) {
  const { errors, shown } = useContext(Fields);
  const messages = shown(fkey) ? (errors.get(fkey) ?? []) : [];
  if (messages.length === 0) return null;
  return (
    <p className="field-error" id={`${idOf(fkey)}-error`} data-field={fkey}>
      {messages.join('; ')}
    </p>
  );
}

function Pairs({
  fkey,
  legend,
  pairs,
  onChange,
  keyLabel,
  valueLabel,
  valuePlaceholder,
}: {
  fkey: string;
  legend: string;
  pairs: Pair[];
  onChange: (pairs: Pair[]) => void;
  keyLabel: string;
  valueLabel: string;
  valuePlaceholder?: string;
}) {
  const base = useId();
  const { touch } = useContext(Fields);
  return (
    <fieldset data-field={fkey}>
      <legend>{legend}</legend>
      {pairs.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
        <div className="row" key={i}>
          <div className="field">
            <label htmlFor={`${base}-k${i}`}>
              {keyLabel} {i + 1}
            </label>
            <input
              id={`${base}-k${i}`}
              value={p.key}
              onChange={(e) => {
                touch(fkey);
                onChange(pairs.map((q, j) => (j === i ? { ...q, key: e.target.value } : q)));
              }}
            />
          </div>
          <div className="field">
            <label htmlFor={`${base}-v${i}`}>
              {valueLabel} {i + 1}
            </label>
            <input
              id={`${base}-v${i}`}
              value={p.value}
              placeholder={valuePlaceholder}
              onChange={(e) => {
                touch(fkey);
                onChange(pairs.map((q, j) => (j === i ? { ...q, value: e.target.value } : q)));
              }}
            />
          </div>
          <div className="field">
            <button
              type="button"
              className="secondary"
              onClick={() => onChange(pairs.filter((_, j) => j !== i))}
            >
              Remove {keyLabel.toLowerCase()} {i + 1}
            </button>
          </div>
        </div>
      ))}
      <button
        type="button"
        className="secondary"
        onClick={() => onChange([...pairs, { key: '', value: '' }])}
      >
        Add {keyLabel.toLowerCase()}
      </button>
      <GroupErrors fkey={fkey} />
    </fieldset>
  );
}

interface SaveResult {
  readonly applied?: boolean;
  readonly diff?: unknown;
}

export function OnboardWizard() {
  const [form, setForm] = useState<WizardForm>(emptyForm);
  const [step, setStep] = useState<StepId>('identity');
  const [base, setBase] = useState<string | null>(null);
  const [baseMissing, setBaseMissing] = useState<string | null>(null);
  const [vpc, setVpc] = useState(FALLBACK_VPC);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [left, setLeft] = useState<ReadonlySet<StepId>>(new Set());
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<SaveResult | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [serverIssues, setServerIssues] = useState<
    readonly { path: string; line?: number; message: string }[] | null
  >(null);

  useEffect(() => {
    api<{ yaml: string }>('/v1/admin/config')
      .then((r) => setBase(r.yaml))
      .catch((err) => {
        setBaseMissing(
          err instanceof ApiError && err.status === 404
            ? 'This gateway does not offer its configuration (GET /v1/admin/config) yet'
            : `The current configuration cannot be read: ${describeError(err)}`,
        );
      });
  }, []);

  const baseYaml = base ?? (baseMissing ? fallbackYaml(vpc) : null);
  const deferred = useDeferredValue(form);
  const validation = useMemo(
    () => (baseYaml === null ? null : validateForm(baseYaml, deferred)),
    [baseYaml, deferred],
  );
  const keys = useMemo(() => fieldKeys(form), [form]);
  // issues the server found on save are shown at their fields too, until the form changes
  const placed = useMemo(() => {
    if (serverIssues && validation?.candidate)
      return placeIssues(serverIssues, validation.candidate.index, keys);
    return validation?.placed ?? null;
  }, [serverIssues, validation, keys]);
  const previews = useMemo(
    () => (validation?.config ? previewOperator(validation.config, form.id.trim()) : null),
    [validation, form.id],
  );

  const update = (patch: Partial<WizardForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setServerIssues(null);
    setSaved(null);
  };
  const fieldContext: FieldContext = {
    errors: placed?.byField ?? new Map(),
    shown: (key) => step === 'review' || touched.has(key) || left.has(stepOf(key)),
    touch: (key) => {
      if (!touched.has(key)) setTouched(new Set([...touched, key]));
    },
  };
  const goTo = (next: StepId) => {
    setLeft(new Set([...left, step]));
    setStep(next);
    document.getElementById('wizard-step-title')?.focus();
  };
  const index = STEPS.findIndex((s) => s.id === step);

  async function save() {
    if (!validation?.candidate || !validation.ok) return;
    setSaving(true);
    setSaveError(null);
    setServerIssues(null);
    try {
      const r = await api<SaveResult>('/v1/admin/config/reload', {
        method: 'POST',
        body: { yaml: validation.candidate.yaml },
      });
      setSaved(r);
    } catch (err) {
      if (err instanceof ApiError && Array.isArray(err.problem?.issues)) {
        setServerIssues(err.problem.issues);
        setSaveError(
          `The gateway refused the configuration: ${err.problem.issues.length} problem(s), shown at their fields.`,
        );
      } else if (err instanceof ApiError && err.status === 404) {
        setSaveError(
          'This gateway does not offer the configuration reload API (POST /v1/admin/config/reload) yet.',
        );
      } else {
        setSaveError(describeError(err));
      }
    } finally {
      setSaving(false);
    }
  }

  const f = form;
  const set = (key: keyof WizardForm) => (value: string) => update({ [key]: value } as Partial<WizardForm>);

  return (
    <section aria-labelledby="wizard-title">
      <p>
        <Link to="/operators">← Operators</Link>
      </p>
      <h1 id="wizard-title">Onboard an operator</h1>
      <p className="muted">
        Checked as you type by the same validator as <code>mnogate validate</code>, over the whole
        configuration. Checks across operators (shared prefixes, overlapping subnets, AWS tunnel rules) run
        once every field is well-formed.
      </p>
      {baseMissing && (
        <Alert kind="info">
          {baseMissing}: the new operator is validated on its own, in the VPC below, and saving will be
          refused.
          <Field fkey="network.vpcCidr" label="VPC CIDR to validate against" value={vpc} onChange={setVpc} />
        </Alert>
      )}
      {baseYaml === null && <p role="status">Reading the current configuration…</p>}
      <Fields.Provider value={fieldContext}>
        <div className="wizard">
          <nav aria-label="Wizard steps">
            <ol className="steps">
              {STEPS.map((s, i) => {
                const count = placed?.byStep.get(s.id) ?? 0;
                return (
                  <li key={s.id}>
                    <button
                      type="button"
                      aria-current={s.id === step ? 'step' : undefined}
                      onClick={() => goTo(s.id)}
                      aria-label={`Step ${i + 1}: ${s.title}${count ? `, ${count} problem${count > 1 ? 's' : ''}` : ''}`}
                    >
                      <span>
                        {i + 1}. {s.title}
                      </span>
                      {count > 0 ? (
                        <span className="count" aria-hidden="true">
                          {count}
                        </span>
                      ) : (
                        s.id !== 'review' &&
                        left.has(s.id) && (
                          <span className="done" aria-hidden="true">
                            ✓
                          </span>
                        )
                      )}
                    </button>
                  </li>
                );
              })}
            </ol>
          </nav>
          <form
            className="panel"
            aria-labelledby="wizard-step-title"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (step === 'review') void save();
              else goTo(STEPS[index + 1]!.id);
            }}
          >
            <h2 id="wizard-step-title" tabIndex={-1}>
              {STEPS[index]!.title}
            </h2>

            {step === 'identity' && (
              <>
                <div className="row">
                  <Field
                    fkey="id"
                    label="Operator id"
                    value={f.id}
                    onChange={set('id')}
                    hint="lower-kebab, such as kabul-telecom"
                  />
                  <Field fkey="name" label="Name" value={f.name} onChange={set('name')} />
                  <Field
                    fkey="country"
                    label="Country"
                    value={f.country}
                    onChange={set('country')}
                    hint="ISO 3166 alpha-2, such as AF"
                  />
                  <Field
                    fkey="currency"
                    label="Currency"
                    value={f.currency}
                    onChange={set('currency')}
                    hint="ISO 4217, such as AFN"
                  />
                </div>
                <Field
                  fkey="prefixes"
                  label="Number prefixes"
                  value={f.prefixes}
                  onChange={set('prefixes')}
                  hint="E.164 prefixes, separated by commas or spaces: +9375, +9374"
                />
              </>
            )}

            {step === 'products' && (
              <>
                <GroupErrors fkey="products" />
                {f.products.map((p, i) => {
                  const k = `products[${i}]`;
                  const setP = (patch: Partial<typeof p>) =>
                    update({ products: f.products.map((q, j) => (j === i ? { ...q, ...patch } : q)) });
                  return (
                    // biome-ignore lint/suspicious/noArrayIndexKey: products are edited in place
                    <fieldset className="repeat" key={i}>
                      <legend>Product {i + 1}</legend>
                      <div className="row">
                        <Field
                          fkey={`${k}.id`}
                          label={`Product ${i + 1} id`}
                          value={p.id}
                          onChange={(v) => setP({ id: v })}
                        />
                        <Field
                          fkey={`${k}.kind`}
                          label={`Product ${i + 1} kind`}
                          value={p.kind}
                          onChange={(v) => setP({ kind: v as 'airtime' | 'data' })}
                          options={['airtime', 'data']}
                        />
                        <Field
                          fkey={`${k}.name`}
                          label={`Product ${i + 1} name (optional)`}
                          value={p.name}
                          onChange={(v) => setP({ name: v })}
                        />
                        <Field
                          fkey={`${k}.operatorProductId`}
                          label={`Product ${i + 1} operator code (optional)`}
                          value={p.operatorProductId}
                          onChange={(v) => setP({ operatorProductId: v })}
                        />
                      </div>
                      <div className="row">
                        <Field
                          fkey={`${k}.mode`}
                          label={`Product ${i + 1} amounts`}
                          value={p.mode}
                          onChange={(v) => setP({ mode: v as 'range' | 'denominations' })}
                          options={[
                            { value: 'range', label: 'an open range' },
                            { value: 'denominations', label: 'fixed denominations' },
                          ]}
                        />
                        {p.mode === 'range' ? (
                          <>
                            <Field
                              fkey={`${k}.range.min`}
                              label={`Product ${i + 1} minimum`}
                              value={p.min}
                              onChange={(v) => setP({ min: v })}
                              hint="major units, such as 10"
                            />
                            <Field
                              fkey={`${k}.range.max`}
                              label={`Product ${i + 1} maximum`}
                              value={p.max}
                              onChange={(v) => setP({ max: v })}
                            />
                          </>
                        ) : (
                          <Field
                            fkey={`${k}.denominations`}
                            label={`Product ${i + 1} denominations`}
                            value={p.denominations}
                            onChange={(v) => setP({ denominations: v })}
                            hint="major units, separated by commas: 50, 100, 200"
                          />
                        )}
                      </div>
                      <GroupErrors fkey={k} />
                      <GroupErrors fkey={`${k}.range`} />
                      {f.products.length > 1 && (
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => update({ products: f.products.filter((_, j) => j !== i) })}
                        >
                          Remove product {i + 1}
                        </button>
                      )}
                    </fieldset>
                  );
                })}
                <button
                  type="button"
                  className="secondary"
                  onClick={() => update({ products: [...f.products, { ...newProduct(), id: '' }] })}
                >
                  Add a product
                </button>
              </>
            )}

            {step === 'api' && (
              <>
                <div className="row">
                  <Field
                    fkey="api.dialect"
                    label="Dialect"
                    value={f.dialect}
                    onChange={set('dialect')}
                    options={['ers', 'pretups', 'huawei-cbs', 'rest-json']}
                  />
                </div>
                <Field
                  fkey="api.endpoints"
                  label="Endpoint URLs"
                  value={f.endpoints}
                  onChange={set('endpoints')}
                  multiline
                  hint="in priority order, one per line: one per tunnel or regional endpoint"
                />
                <Field
                  fkey="api.credentialsMode"
                  label="Credentials"
                  value={f.credentialsMode}
                  onChange={(v) => update({ credentialsMode: v as 'reference' | 'fields' })}
                  options={[
                    { value: 'reference', label: 'one secret holding every field' },
                    { value: 'fields', label: 'a secret reference per field' },
                  ]}
                />
                {f.credentialsMode === 'reference' ? (
                  <Field
                    fkey="api.credentials"
                    label="Credentials secret reference"
                    value={f.credentialsRef}
                    onChange={set('credentialsRef')}
                    placeholder="secret:kabul-api"
                    hint="secret:<name>[#field], resolved by the gateway's secrets provider: never the secret itself"
                  />
                ) : (
                  <Pairs
                    fkey="api.credentials"
                    legend="Credential fields"
                    pairs={f.credentials}
                    onChange={(credentials) => update({ credentials })}
                    keyLabel="Field"
                    valueLabel="Secret reference"
                    valuePlaceholder="secret:kabul-api#password"
                  />
                )}
                <Pairs
                  fkey="api.options"
                  legend="Dialect options (not secret)"
                  pairs={f.options}
                  onChange={(options) => update({ options })}
                  keyLabel="Option"
                  valueLabel="Value"
                />
                <div className="row">
                  <Field
                    fkey="api.timeouts.connectMs"
                    label="Connect timeout (ms)"
                    value={f.connectMs}
                    onChange={set('connectMs')}
                    placeholder="3000"
                  />
                  <Field
                    fkey="api.timeouts.requestMs"
                    label="Request timeout (ms)"
                    value={f.requestMs}
                    onChange={set('requestMs')}
                    placeholder="30000"
                  />
                  <Field
                    fkey="api.timeouts.statusMs"
                    label="Status timeout (ms)"
                    value={f.statusMs}
                    onChange={set('statusMs')}
                    placeholder="15000"
                  />
                  <Field
                    fkey="api.settleWindowMs"
                    label="Settle window (ms)"
                    value={f.settleWindowMs}
                    onChange={set('settleWindowMs')}
                    placeholder="300000"
                  />
                </div>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={f.statusQuery}
                    onChange={(e) => update({ statusQuery: e.target.checked })}
                  />{' '}
                  The operator answers status queries by our reference
                </label>
              </>
            )}

            {step === 'egress' && (
              <>
                <Field
                  fkey="egress.mode"
                  label="Egress mode"
                  value={f.egressMode}
                  onChange={(v) => update({ egressMode: v as 'static-ip' | 'cidr' })}
                  options={[
                    { value: 'static-ip', label: 'static IP: the operator whitelists one address' },
                    { value: 'cidr', label: 'CIDR: the operator whitelists the whole subnet' },
                  ]}
                />
                <div className="row">
                  <Field
                    fkey="egress.subnet"
                    label="Egress subnet"
                    value={f.subnet}
                    onChange={set('subnet')}
                    hint="a CIDR inside the VPC, such as 10.0.8.0/28"
                  />
                  <Field
                    fkey="egress.sourceIp"
                    label={f.egressMode === 'static-ip' ? 'Source IP' : 'Source IP (optional)'}
                    value={f.sourceIp}
                    onChange={set('sourceIp')}
                    hint="inside the egress subnet"
                  />
                </div>
              </>
            )}

            {step === 'vpn' && (
              <>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={f.vpn}
                    onChange={(e) => update({ vpn: e.target.checked })}
                  />{' '}
                  The operator is reached over a site-to-site VPN (two tunnels)
                </label>
                {f.vpn && (
                  <>
                    <div className="row">
                      <Field
                        fkey="vpn.peerIp"
                        label="Operator VPN endpoint (peer IP)"
                        value={f.peerIp}
                        onChange={set('peerIp')}
                      />
                      <Field
                        fkey="vpn.remoteCidrs"
                        label="Operator networks (remote CIDRs)"
                        value={f.remoteCidrs}
                        onChange={set('remoteCidrs')}
                        hint="separated by commas"
                      />
                      <Field
                        fkey="vpn.apiPorts"
                        label="API ports"
                        value={f.apiPorts}
                        onChange={set('apiPorts')}
                        hint="TCP ports behind the tunnel"
                      />
                      <Field
                        fkey="vpn.routing"
                        label="Routing"
                        value={f.routing}
                        onChange={(v) => update({ routing: v as 'static' | 'bgp' })}
                        options={['static', 'bgp']}
                      />
                      {f.routing === 'bgp' && (
                        <Field
                          fkey="vpn.peerAsn"
                          label="Peer ASN"
                          value={f.peerAsn}
                          onChange={set('peerAsn')}
                        />
                      )}
                    </div>
                    {[0, 1].map((j) => {
                      const t = f.tunnels[j]!;
                      const setT = (patch: Partial<typeof t>) => {
                        const tunnels = [...f.tunnels] as WizardForm['tunnels'];
                        tunnels[j] = { ...t, ...patch };
                        update({ tunnels });
                      };
                      return (
                        <fieldset className="repeat" key={j}>
                          <legend>Tunnel {j + 1}</legend>
                          <div className="row">
                            <Field
                              fkey={`vpn.tunnels[${j}].insideCidr`}
                              label={`Tunnel ${j + 1} inside CIDR`}
                              value={t.insideCidr}
                              onChange={(v) => setT({ insideCidr: v })}
                              hint="a /30 in 169.254.0.0/16, not one AWS reserves"
                            />
                            <Field
                              fkey={`vpn.tunnels[${j}].preSharedKey`}
                              label={`Tunnel ${j + 1} pre-shared key reference`}
                              value={t.preSharedKey}
                              onChange={(v) => setT({ preSharedKey: v })}
                              placeholder={`secret:kabul-vpn#tunnel${j + 1}`}
                            />
                          </div>
                        </fieldset>
                      );
                    })}
                    <GroupErrors fkey="vpn.tunnels" />
                    <fieldset>
                      <legend>Proposals (both tunnels)</legend>
                      <div className="row">
                        <Field
                          fkey="vpn.ikeVersions"
                          label="IKE version"
                          value={f.ikeVersion}
                          onChange={(v) => update({ ikeVersion: v as 'ikev2' | 'ikev1' })}
                          options={['ikev2', 'ikev1']}
                        />
                        <Field
                          fkey="vpn.phase1.encryption"
                          label="Encryption"
                          value={f.encryption}
                          onChange={set('encryption')}
                          hint="AES128, AES256, AES128-GCM-16, AES256-GCM-16"
                        />
                        <Field
                          fkey="vpn.phase1.integrity"
                          label="Integrity"
                          value={f.integrity}
                          onChange={set('integrity')}
                          hint="SHA1, SHA2-256, SHA2-384, SHA2-512"
                        />
                        <Field
                          fkey="vpn.phase1.dhGroups"
                          label="Phase 1 DH groups"
                          value={f.phase1DhGroups}
                          onChange={set('phase1DhGroups')}
                        />
                        <Field
                          fkey="vpn.phase2.dhGroups"
                          label="Phase 2 DH groups"
                          value={f.phase2DhGroups}
                          onChange={set('phase2DhGroups')}
                        />
                        <Field
                          fkey="vpn.phase1.lifetimeSeconds"
                          label="Phase 1 lifetime (s)"
                          value={f.phase1LifetimeSeconds}
                          onChange={set('phase1LifetimeSeconds')}
                        />
                        <Field
                          fkey="vpn.phase2.lifetimeSeconds"
                          label="Phase 2 lifetime (s)"
                          value={f.phase2LifetimeSeconds}
                          onChange={set('phase2LifetimeSeconds')}
                        />
                      </div>
                      <GroupErrors fkey="vpn.phase2.encryption" />
                      <GroupErrors fkey="vpn.phase2.integrity" />
                    </fieldset>
                  </>
                )}
              </>
            )}

            {step === 'review' && validation && (
              <Review
                validation={validation}
                other={placed?.other ?? []}
                yamlOfOperator={stringify(operatorFromForm(f))}
                previews={previews}
              />
            )}

            <div aria-live="polite">
              {saved && (
                <Alert kind="ok">
                  Saved: the gateway applied the new configuration.{' '}
                  <a
                    href={`/console/operators/${encodeURIComponent(f.id.trim())}`}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(`/operators/${encodeURIComponent(f.id.trim())}`);
                    }}
                  >
                    Open {f.name.trim() || f.id.trim()}
                  </a>
                  {saved.diff !== undefined && (
                    <pre className="preview">{JSON.stringify(saved.diff, null, 2)}</pre>
                  )}
                </Alert>
              )}
              {saveError && <Alert>{saveError}</Alert>}
            </div>

            <div className="wizard-nav">
              {index > 0 && (
                <button type="button" className="secondary" onClick={() => goTo(STEPS[index - 1]!.id)}>
                  Back
                </button>
              )}
              {step !== 'review' ? (
                <button type="submit">Next</button>
              ) : (
                <button type="submit" disabled={!validation?.ok || saving || baseMissing !== null}>
                  {saving ? 'Saving…' : 'Save and apply'}
                </button>
              )}
            </div>
          </form>
        </div>
      </Fields.Provider>
    </section>
  );
}

function Review({
  validation,
  other,
  yamlOfOperator,
  previews,
}: {
  validation: NonNullable<ReturnType<typeof validateForm>>;
  other: readonly { path: string; line?: number; message: string }[];
  yamlOfOperator: string;
  previews: ReturnType<typeof previewOperator> | null;
}) {
  const problems = validation.issues.length;
  return (
    <>
      {validation.ok ? (
        <Alert kind="ok">The configuration with this operator is valid.</Alert>
      ) : (
        <Alert>
          {problems} problem{problems > 1 ? 's' : ''} to fix: the steps with a count hold them at their
          fields.
        </Alert>
      )}
      {other.length > 0 && (
        <>
          <h3>Problems outside the wizard's fields</h3>
          <ul aria-label="Other problems">
            {other.map((o) => (
              <li key={`${o.path}:${o.message}`}>
                <span className="mono">{o.path}</span>
                {o.line ? ` (line ${o.line})` : ''}: {o.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>The operator's configuration</h3>
      <pre className="preview" data-preview="operator">
        {yamlOfOperator}
      </pre>
      <h3>Address plan</h3>
      {previews?.plan ? (
        <pre className="preview" data-preview="plan">
          {previews.plan}
        </pre>
      ) : (
        <p className="muted">Shown once the configuration is valid.</p>
      )}
      <h3>Peer VPN configuration (swanctl.conf, placeholder keys)</h3>
      {previews?.swanctl ? (
        <pre className="preview" data-preview="swanctl">
          {previews.swanctl}
        </pre>
      ) : (
        <p className="muted">{previews?.error ?? 'Shown once the configuration is valid and has a VPN.'}</p>
      )}
    </>
  );
}
