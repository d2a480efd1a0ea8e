/** The queue of unknown recharges: settle one as succeeded or failed, with a reason (audited). */
import { useCallback, useEffect, useId, useState } from 'react';
import { Link } from '../app';
import { Alert } from '../components/badges';
import { LoadMore } from '../components/load-more';
import { api, describeError } from '../lib/api';
import { formatAge } from '../lib/format';
import { usePagedList } from '../lib/paged-list';
import type { Page, Recharge, UnresolvedItem } from '../lib/types';

function ResolveForm({ item, onDone }: { item: UnresolvedItem; onDone: (message: string) => void }) {
  const [status, setStatus] = useState<'succeeded' | 'failed' | ''>('');
  const [reason, setReason] = useState('');
  const [txId, setTxId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!status) return setError('Choose succeeded or failed.');
    if (reason.trim().length < 3) return setError('Give the reason (at least 3 characters): it is audited.');
    setBusy(true);
    setError(null);
    try {
      const r = await api<Recharge>(`/v1/admin/recharges/${encodeURIComponent(item.recharge.id)}/resolve`, {
        method: 'POST',
        body: {
          status,
          reason: reason.trim(),
          ...(txId.trim() ? { operatorTransactionId: txId.trim() } : {}),
        },
      });
      onDone(`${r.id} resolved as ${r.status}.`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="resolve" onSubmit={submit} aria-label={`Resolve ${item.recharge.id}`} noValidate>
      <fieldset>
        <legend>Outcome</legend>
        <label>
          <input
            type="radio"
            name={`${id}-status`}
            value="succeeded"
            checked={status === 'succeeded'}
            onChange={() => setStatus('succeeded')}
          />{' '}
          Succeeded (the operator credited it)
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-status`}
            value="failed"
            checked={status === 'failed'}
            onChange={() => setStatus('failed')}
          />{' '}
          Failed (the operator did not credit it)
        </label>
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason (required, audited)</label>
        <textarea
          id={`${id}-reason`}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          minLength={3}
          maxLength={1000}
          rows={2}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-tx`}>Operator transaction id (optional)</label>
        <input id={`${id}-tx`} value={txId} onChange={(e) => setTxId(e.target.value)} maxLength={128} />
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Resolving…' : 'Resolve'}
      </button>
    </form>
  );
}

export function UnresolvedPage() {
  const [all, setAll] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const list = usePagedList<UnresolvedItem>();
  const { items, cursor, loading, error } = list;

  const loadList = list.load;
  const load = useCallback(
    (after: string | null) =>
      loadList(
        (cursor) =>
          api<Page<UnresolvedItem>>('/v1/admin/unresolved', {
            query: { all: all ? 'true' : undefined, limit: '50', cursor: cursor ?? undefined },
          }),
        after,
      ),
    [all, loadList],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <section aria-labelledby="unresolved-title">
      <div className="page-head">
        <h1 id="unresolved-title">Unresolved</h1>
        <button type="button" className="secondary" onClick={() => void load(null)}>
          Refresh
        </button>
      </div>
      <p className="muted">
        Recharges whose outcome no status query could settle. Check with the operator, then record what
        happened.
      </p>
      <label className="inline">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Also show those the
        reconciler is still working on
      </label>
      {message && <Alert kind="ok">{message}</Alert>}
      {error && <Alert>{error}</Alert>}
      <table aria-label="Unresolved recharges" aria-busy={loading}>
        <thead>
          <tr>
            <th scope="col">Recharge</th>
            <th scope="col">Age</th>
            <th scope="col">MSISDN</th>
            <th scope="col">Operator</th>
            <th scope="col">Amount</th>
            <th scope="col">Status queries</th>
            <th scope="col">Waiting for</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <FragmentRow
              key={item.recharge.id}
              item={item}
              open={open === item.recharge.id}
              onToggle={() => setOpen(open === item.recharge.id ? null : item.recharge.id)}
              onDone={(m) => {
                setMessage(m);
                setOpen(null);
                void load(null);
              }}
            />
          ))}
          {!loading && items.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                Nothing waits for a decision.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <LoadMore cursor={cursor} loading={loading} onMore={(c) => void load(c)} />
    </section>
  );
}

function FragmentRow({
  item,
  open,
  onToggle,
  onDone,
}: {
  item: UnresolvedItem;
  open: boolean;
  onToggle: () => void;
  onDone: (message: string) => void;
}) {
  const r = item.recharge;
  return (
    <>
      <tr data-recharge={r.id}>
        <td>
          <Link to={`/transactions/${encodeURIComponent(r.id)}`} className="mono">
            {r.id}
          </Link>
        </td>
        <td>{formatAge(item.ageSeconds)}</td>
        <td className="mono">{r.msisdn}</td>
        <td>{r.operatorId}</td>
        <td className="num">
          {r.amount} {r.currency}
        </td>
        <td className="num">{item.reconcileAttempts}</td>
        <td>{item.needsAdmin ? 'an admin' : 'the reconciler'}</td>
        <td>
          <button type="button" aria-expanded={open} onClick={onToggle} aria-label={`Resolve ${r.id}`}>
            Resolve…
          </button>
        </td>
      </tr>
      {open && (
        <tr className="expanded">
          <td colSpan={8}>
            <ResolveForm item={item} onDone={onDone} />
          </td>
        </tr>
      )}
    </>
  );
}
