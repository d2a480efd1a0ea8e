/** One recharge, the timeline of its states and its redacted operator exchanges. */
import { useEffect, useState } from 'react';
import { Link } from '../app';
import { Alert, StatusBadge } from '../components/badges';
import { Exchanges } from '../components/exchanges';
import { ApiError, api, describeError } from '../lib/api';
import { formatTime } from '../lib/format';
import type { HistoryEntry, OperatorExchange, Recharge } from '../lib/types';

/** Values in history details that are never shown, whatever puts them there. */
const HIDDEN = /(pass(word)?|pwd|pin|secret|token|api[-_]?key|psk|credential)/i;

function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${HIDDEN.test(k) ? '[hidden]' : typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

export function TransactionDetailPage({ id }: { id: string }) {
  const [recharge, setRecharge] = useState<Recharge | null>(null);
  const [history, setHistory] = useState<readonly HistoryEntry[] | null>(null);
  const [exchanges, setExchanges] = useState<readonly OperatorExchange[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api<{ recharge: Recharge; history: HistoryEntry[]; exchanges?: OperatorExchange[] }>(
      `/v1/admin/recharges/${encodeURIComponent(id)}`,
    )
      .then((r) => {
        if (!live) return;
        setRecharge(r.recharge);
        setHistory(r.history);
        setExchanges(r.exchanges ?? null);
      })
      .catch(async (err) => {
        // a gateway without the admin detail route: the recharge alone
        if (err instanceof ApiError && err.routeMissing) {
          try {
            const r = await api<Recharge>(`/v1/recharges/${encodeURIComponent(id)}`);
            if (live) setRecharge(r);
            return;
          } catch (inner) {
            err = inner;
          }
        }
        if (live) setError(describeError(err));
      });
    return () => {
      live = false;
    };
  }, [id]);

  return (
    <section aria-labelledby="txd-title">
      <p>
        <Link to="/transactions">← Transactions</Link>
      </p>
      <h1 id="txd-title">
        Recharge <span className="mono">{id}</span>
      </h1>
      {error && <Alert>{error}</Alert>}
      {recharge && (
        <>
          <dl className="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={recharge.status} />
              </dd>
            </div>
            <div>
              <dt>MSISDN</dt>
              <dd className="mono">{recharge.msisdn}</dd>
            </div>
            <div>
              <dt>Operator</dt>
              <dd>
                <Link to={`/operators/${encodeURIComponent(recharge.operatorId)}`}>
                  {recharge.operatorId}
                </Link>
              </dd>
            </div>
            <div>
              <dt>Amount</dt>
              <dd>
                {recharge.amount} {recharge.currency} ({recharge.productId})
              </dd>
            </div>
            <div>
              <dt>Client reference</dt>
              <dd>{recharge.reference ?? '–'}</dd>
            </div>
            <div>
              <dt>Operator reference</dt>
              <dd className="mono">{recharge.operatorReference}</dd>
            </div>
            <div>
              <dt>Operator transaction</dt>
              <dd className="mono">{recharge.operatorTransactionId ?? '–'}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatTime(recharge.createdAt)}</dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>{formatTime(recharge.updatedAt)}</dd>
            </div>
            {recharge.failure && (
              <div>
                <dt>Failure</dt>
                <dd>
                  <span className="mono">{recharge.failure.code}</span>: {recharge.failure.message}
                  {recharge.failure.operatorCode ? ` (operator code ${recharge.failure.operatorCode})` : ''}
                </dd>
              </div>
            )}
          </dl>
          <h2>Timeline</h2>
          {history === null ? (
            <p className="muted">The state history is not available from this gateway.</p>
          ) : (
            <ol className="timeline" aria-label="State timeline">
              {history.map((h) => (
                <li key={`${h.at}-${h.to}`} className={`tl-${h.to}`}>
                  <span className="tl-state">
                    {h.from ? `${h.from} → ` : ''}
                    <strong>{h.to}</strong>
                  </span>
                  <time dateTime={h.at}>{formatTime(h.at)}</time>
                  <span className="muted">by {h.cause}</span>
                  {h.detail && <span className="tl-detail">{detailText(h.detail)}</span>}
                </li>
              ))}
            </ol>
          )}
          <h2>Operator exchanges</h2>
          {exchanges === null ? (
            <p className="muted">The operator exchanges are not available from this gateway.</p>
          ) : (
            <Exchanges exchanges={exchanges} />
          )}
        </>
      )}
    </section>
  );
}
