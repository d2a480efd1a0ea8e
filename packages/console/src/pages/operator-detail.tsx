/** One operator: what it sells, its endpoints and tunnels, its last hour. */
import { useEffect, useState } from 'react';
import { Link } from '../app';
import { Alert } from '../components/badges';
import { api, describeError } from '../lib/api';
import { useHealth } from '../lib/health';
import type { Product } from '../lib/types';
import { OperatorCard } from './overview';

export function OperatorDetailPage({ id }: { id: string }) {
  const { operators, health } = useHealth();
  const [products, setProducts] = useState<readonly Product[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const op = operators.find((o) => o.id === id);

  useEffect(() => {
    api<{ items: Product[] }>(`/v1/operators/${encodeURIComponent(id)}/products`)
      .then((r) => setProducts(r.items))
      .catch((err) => setError(describeError(err)));
  }, [id]);

  return (
    <section aria-labelledby="opd-title">
      <p>
        <Link to="/operators">← Operators</Link>
      </p>
      <h1 id="opd-title">{op?.name ?? id}</h1>
      {error && <Alert>{error}</Alert>}
      {op && (
        <dl className="facts">
          <div>
            <dt>Id</dt>
            <dd className="mono">{op.id}</dd>
          </div>
          <div>
            <dt>Country</dt>
            <dd>{op.country}</dd>
          </div>
          <div>
            <dt>Currency</dt>
            <dd>{op.currency}</dd>
          </div>
          <div>
            <dt>Prefixes</dt>
            <dd className="mono">{op.prefixes.join(', ')}</dd>
          </div>
          <div>
            <dt>Dialect</dt>
            <dd>{op.dialect}</dd>
          </div>
        </dl>
      )}
      <h2>Health</h2>
      {op ? <OperatorCard op={op} health={health.get(op.id)} /> : <p className="muted">Loading…</p>}
      <h2>Products</h2>
      <table aria-label="Products">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Amounts</th>
          </tr>
        </thead>
        <tbody>
          {(products ?? []).map((p) => (
            <tr key={p.id}>
              <td className="mono">{p.id}</td>
              <td>{p.kind}</td>
              <td>{p.name ?? '–'}</td>
              <td>
                {p.range
                  ? `${p.range.min} to ${p.range.max} ${p.currency}`
                  : `${p.denominations.join(', ')} ${p.currency}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <Link to={`/transactions?operatorId=${encodeURIComponent(id)}`}>Its transactions</Link>
      </p>
    </section>
  );
}
