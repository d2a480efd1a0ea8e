/** Find any recharge: by number, reference, status, operator and time, newest first. */
import { useEffect, useState } from 'react';
import { Link } from '../app';
import { Alert, StatusBadge } from '../components/badges';
import { LoadMore } from '../components/load-more';
import { api } from '../lib/api';
import { formatTime } from '../lib/format';
import { usePagedList } from '../lib/paged-list';
import { currentQuery } from '../lib/router';
import type { Operator, Page, Recharge } from '../lib/types';

interface Filters {
  msisdn: string;
  reference: string;
  status: string;
  operatorId: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { msisdn: '', reference: '', status: '', operatorId: '', from: '', to: '' };

/** Filters given in the URL (a link from an operator's page, say). */
function fromUrl(): Filters {
  const q = currentQuery();
  const f = { ...EMPTY };
  for (const k of Object.keys(EMPTY) as (keyof Filters)[]) f[k] = q.get(k) ?? '';
  return f;
}

/** datetime-local values are local time without a zone: send them as ISO 8601 instants. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

export function TransactionsPage() {
  const [filters, setFilters] = useState<Filters>(fromUrl);
  const [applied, setApplied] = useState<Filters>(filters);
  const list = usePagedList<Recharge>();
  const { items, cursor, loading, error } = list;
  const [operators, setOperators] = useState<readonly Operator[]>([]);

  useEffect(() => {
    api<{ items: Operator[] }>('/v1/operators')
      .then((r) => setOperators(r.items))
      .catch(() => setOperators([]));
  }, []);

  const load = (f: Filters, after: string | null) =>
    list.load(
      (cursor) =>
        api<Page<Recharge>>('/v1/recharges', {
          query: {
            msisdn: f.msisdn.trim() || undefined,
            reference: f.reference.trim() || undefined,
            status: f.status || undefined,
            operatorId: f.operatorId || undefined,
            from: toIso(f.from),
            to: toIso(f.to),
            limit: '50',
            cursor: cursor ?? undefined,
          },
        }),
      after,
    );

  // biome-ignore lint/correctness/useExhaustiveDependencies: load once on open
  useEffect(() => {
    void load(applied, null);
  }, []);

  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setFilters({ ...filters, [k]: e.target.value });

  return (
    <section aria-labelledby="tx-title">
      <h1 id="tx-title">Transactions</h1>
      <form
        className="filters"
        aria-label="Search recharges"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
          void load(filters, null);
        }}
      >
        <div className="field">
          <label htmlFor="f-msisdn">MSISDN</label>
          <input id="f-msisdn" value={filters.msisdn} onChange={set('msisdn')} placeholder="+93701234567" />
        </div>
        <div className="field">
          <label htmlFor="f-reference">Client reference</label>
          <input id="f-reference" value={filters.reference} onChange={set('reference')} />
        </div>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={filters.status} onChange={set('status')}>
            <option value="">any</option>
            <option value="succeeded">succeeded</option>
            <option value="failed">failed</option>
            <option value="pending">pending</option>
            <option value="unknown">unknown</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-operator">Operator</label>
          <select id="f-operator" value={filters.operatorId} onChange={set('operatorId')}>
            <option value="">any</option>
            {operators.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-from">From</label>
          <input id="f-from" type="datetime-local" value={filters.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="f-to">To</label>
          <input id="f-to" type="datetime-local" value={filters.to} onChange={set('to')} />
        </div>
        <div className="actions">
          <button type="submit">Search</button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setFilters(EMPTY);
              setApplied(EMPTY);
              void load(EMPTY, null);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {error && <Alert>{error}</Alert>}
      <table aria-label="Recharges" aria-busy={loading}>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Recharge</th>
            <th scope="col">MSISDN</th>
            <th scope="col">Operator</th>
            <th scope="col">Amount</th>
            <th scope="col">Reference</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id}>
              <td>{formatTime(r.createdAt)}</td>
              <td>
                <Link to={`/transactions/${encodeURIComponent(r.id)}`} className="mono">
                  {r.id}
                </Link>
              </td>
              <td className="mono">{r.msisdn}</td>
              <td>{r.operatorId}</td>
              <td className="num">
                {r.amount} {r.currency}
              </td>
              <td>{r.reference ?? '–'}</td>
              <td>
                <StatusBadge status={r.status} />
              </td>
            </tr>
          ))}
          {!loading && items.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No recharges match{Object.values(applied).some(Boolean) ? ' these filters' : ''}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <LoadMore cursor={cursor} loading={loading} onMore={(c) => void load(applied, c)} />
    </section>
  );
}
