/** The operators this gateway serves, with their health, and the way to onboard another. */
import { Link } from '../app';
import { Alert, StatusBadge } from '../components/badges';
import { formatMs, formatPercent } from '../lib/format';
import { useHealth } from '../lib/health';

export function OperatorsPage() {
  const { operators, health, unavailable, error } = useHealth();
  return (
    <section aria-labelledby="ops-title">
      <div className="page-head">
        <h1 id="ops-title">Operators</h1>
        <Link to="/operators/new" className="button">
          Onboard an operator
        </Link>
      </div>
      {unavailable && <Alert kind="info">{unavailable}.</Alert>}
      {error && <Alert>{error}</Alert>}
      <table aria-label="Operators">
        <thead>
          <tr>
            <th scope="col">Operator</th>
            <th scope="col">Id</th>
            <th scope="col">Country</th>
            <th scope="col">Prefixes</th>
            <th scope="col">Dialect</th>
            <th scope="col">Health</th>
            <th scope="col">Success (5 min)</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {operators.map((op) => {
            const h = health.get(op.id);
            return (
              <tr key={op.id} data-operator={op.id}>
                <td>
                  <Link to={`/operators/${encodeURIComponent(op.id)}`}>{op.name}</Link>
                </td>
                <td className="mono">{op.id}</td>
                <td>{op.country}</td>
                <td className="mono">{op.prefixes.join(', ')}</td>
                <td>{op.dialect}</td>
                <td>{h ? <StatusBadge status={h.status} /> : <span className="muted">unavailable</span>}</td>
                <td className="num">{formatPercent(h?.successRate5m)}</td>
                <td className="num">{formatMs(h?.latencyMs.p95)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
