/** The audit log: browse with filters, and verify its hash chain. */
import { useCallback, useEffect, useState } from 'react';
import { Alert } from '../components/badges';
import { LoadMore } from '../components/load-more';
import { ApiError, api, describeError } from '../lib/api';
import { formatTime } from '../lib/format';
import { usePagedList } from '../lib/paged-list';
import type { AuditEntry, AuditVerifyResult, Page } from '../lib/types';

interface Filters {
  actor: string;
  action: string;
  subject: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { actor: '', action: '', subject: '', from: '', to: '' };
const MISSING = 'The audit API is not available on this gateway yet.';

function iso(local: string): string | undefined {
  const t = new Date(local);
  return local && !Number.isNaN(t.getTime()) ? t.toISOString() : undefined;
}

export function AuditPage() {
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const list = usePagedList<AuditEntry>((err) =>
    err instanceof ApiError && err.status === 404 ? MISSING : describeError(err),
  );
  const { items, cursor, loading, error } = list;
  const [verify, setVerify] = useState<AuditVerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);
  const [verifying, setVerifying] = useState(false);

  const loadList = list.load;
  const load = useCallback(
    (f: Filters, after: string | null) =>
      loadList(
        (cursor) =>
          api<Page<AuditEntry>>('/v1/admin/audit', {
            query: {
              actor: f.actor.trim() || undefined,
              action: f.action.trim() || undefined,
              subject: f.subject.trim() || undefined,
              from: iso(f.from),
              to: iso(f.to),
              limit: '50',
              cursor: cursor ?? undefined,
            },
          }),
        after,
      ),
    [loadList],
  );

  useEffect(() => {
    void load(EMPTY, null);
  }, [load]);

  async function runVerify() {
    setVerifying(true);
    setVerify(null);
    setVerifyError(null);
    try {
      setVerify(await api<AuditVerifyResult>('/v1/admin/audit/verify', { method: 'POST', body: {} }));
    } catch (err) {
      setVerifyError(err instanceof ApiError && err.status === 404 ? MISSING : describeError(err));
    } finally {
      setVerifying(false);
    }
  }

  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setFilters({ ...filters, [k]: e.target.value });

  return (
    <section aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit</h1>
        <button type="button" onClick={() => void runVerify()} disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify the chain'}
        </button>
      </div>
      <div aria-live="polite">
        {verify?.ok && (
          <Alert kind="ok">
            Chain verified: {verify.checked} entries, every hash links to the one before.
          </Alert>
        )}
        {verify && !verify.ok && (
          <Alert>
            Chain broken after checking {verify.checked} entries
            {verify.firstBad
              ? `: entry ${verify.firstBad.seq}, ${verify.firstBad.message ?? verify.firstBad.reason ?? verify.firstBad.problem ?? 'bad'}`
              : ''}
            .
          </Alert>
        )}
        {verifyError && <Alert>{verifyError}</Alert>}
      </div>
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
          void load(filters, null);
        }}
      >
        <div className="field">
          <label htmlFor="a-actor">Actor</label>
          <input id="a-actor" value={filters.actor} onChange={set('actor')} />
        </div>
        <div className="field">
          <label htmlFor="a-action">Action</label>
          <input id="a-action" value={filters.action} onChange={set('action')} />
        </div>
        <div className="field">
          <label htmlFor="a-subject">Subject</label>
          <input id="a-subject" value={filters.subject} onChange={set('subject')} />
        </div>
        <div className="field">
          <label htmlFor="a-from">From</label>
          <input id="a-from" type="datetime-local" value={filters.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="a-to">To</label>
          <input id="a-to" type="datetime-local" value={filters.to} onChange={set('to')} />
        </div>
        <div className="actions">
          <button type="submit">Filter</button>
        </div>
      </form>
      {error && <Alert kind={error === MISSING ? 'info' : 'error'}>{error}</Alert>}
      <table aria-label="Audit entries" aria-busy={loading}>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">At</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Subject</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.seq}>
              <td className="num">{e.seq}</td>
              <td>{formatTime(e.at)}</td>
              <td>{e.actor}</td>
              <td className="mono">{e.action}</td>
              <td className="mono">{e.subject ?? '–'}</td>
              <td className="detail">{e.detail ? JSON.stringify(e.detail) : ''}</td>
            </tr>
          ))}
          {!loading && items.length === 0 && !error && (
            <tr>
              <td colSpan={6} className="muted">
                No entries{Object.values(applied).some(Boolean) ? ' match these filters' : ''}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <LoadMore cursor={cursor} loading={loading} onMore={(c) => void load(applied, c)} />
    </section>
  );
}
