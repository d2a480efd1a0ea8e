/** Every operator at a glance: health, latency, load, circuit, endpoints and tunnels, live. */
import { Link } from '../app';
import { Alert, StatusBadge, UpDown } from '../components/badges';
import { Sparkline } from '../components/sparkline';
import { formatMs, formatPercent, formatTime } from '../lib/format';
import { POLL_MS, samplesOf, useHealth } from '../lib/health';
import type { Operator, OperatorHealth } from '../lib/types';

export function OperatorCard({ op, health }: { op: Operator; health: OperatorHealth | undefined }) {
  const samples = samplesOf(op.id);
  const headingId = `op-${op.id}`;
  return (
    <article
      className={`card op-card status-${health?.status ?? 'unknown'}`}
      aria-labelledby={headingId}
      data-operator={op.id}
    >
      <header>
        <h2 id={headingId}>
          <Link to={`/operators/${encodeURIComponent(op.id)}`}>{op.name}</Link>
        </h2>
        {health ? (
          <StatusBadge status={health.status} />
        ) : (
          <span className="badge badge-unknown">health unavailable</span>
        )}
      </header>
      <p className="muted">
        {op.id} · {op.dialect} · {op.prefixes.join(', ')}
      </p>
      {health && (
        <>
          <dl className="stats">
            <div>
              <dt>Success (5 min)</dt>
              <dd>{formatPercent(health.successRate5m)}</dd>
            </div>
            <div>
              <dt>p95 latency</dt>
              <dd>{formatMs(health.latencyMs.p95)}</dd>
            </div>
            <div>
              <dt>In flight</dt>
              <dd>{health.inFlight}</dd>
            </div>
            <div>
              <dt>Circuit</dt>
              <dd>
                <span className={`circuit circuit-${health.circuit}`}>{health.circuit}</span>
              </dd>
            </div>
            <div>
              <dt>Calls (5 min)</dt>
              <dd>{health.calls5m}</dd>
            </div>
          </dl>
          <ul className="links" aria-label={`${op.name} endpoints and tunnels`}>
            {health.endpoints.map((e) => (
              <li key={e.url}>
                <UpDown up={e.up} label={`endpoint ${e.url}`} />
                {e.latencyMs !== null && <span className="muted"> {formatMs(e.latencyMs)}</span>}
              </li>
            ))}
            {health.tunnels.map((t) => (
              <li key={t.name} title={t.error ?? t.state}>
                <UpDown up={t.up} label={`tunnel ${t.name}`} />
                {t.error && <span className="muted"> (unreadable: {t.error})</span>}
              </li>
            ))}
            {health.tunnels.length === 0 && <li className="muted">no VPN tunnels configured</li>}
          </ul>
          <div className="charts">
            <Sparkline
              label="Success rate"
              samples={samples}
              value={(s) => s.successRate}
              max={1}
              format={formatPercent}
            />
            <Sparkline label="p95 latency" samples={samples} value={(s) => s.p95} format={formatMs} />
          </div>
        </>
      )}
    </article>
  );
}

export function OverviewPage() {
  const { operators, health, unavailable, error, at } = useHealth();
  const counts = { healthy: 0, degraded: 0, down: 0 };
  for (const h of health.values()) counts[h.status]++;
  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Overview</h1>
        <p className="muted" aria-live="polite">
          {at ? `Updated ${formatTime(new Date(at).toISOString())}, every ${POLL_MS / 1000} s` : 'Loading…'}
        </p>
      </div>
      {unavailable && (
        <Alert kind="info">{unavailable}. The operator list below comes from /v1/operators.</Alert>
      )}
      {error && <Alert>{error}</Alert>}
      {health.size > 0 && (
        <p className="summary">
          <StatusBadge status="healthy" /> {counts.healthy} <StatusBadge status="degraded" />{' '}
          {counts.degraded} <StatusBadge status="down" /> {counts.down}
        </p>
      )}
      <div className="grid">
        {operators.map((op) => (
          <OperatorCard key={op.id} op={op} health={health.get(op.id)} />
        ))}
      </div>
    </section>
  );
}
