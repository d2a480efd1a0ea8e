/**
 * A small hand-drawn SVG time series of the last hour; until an hour of samples is in, the x axis
 * spans what there is, so a fresh tab shows a line rather than a dot at the right edge.
 */
import type { Sample } from '../lib/health';
import { HISTORY_MS } from '../lib/health';

export interface SparklineProps {
  readonly label: string;
  readonly samples: readonly Sample[];
  readonly value: (s: Sample) => number | null;
  /** Fixed maximum of the y axis (1 for a rate); default the largest value. */
  readonly max?: number;
  readonly format: (v: number | null) => string;
  readonly width?: number;
  readonly height?: number;
}

export function Sparkline({ label, samples, value, max, format, width = 220, height = 44 }: SparklineProps) {
  const now = samples.length > 0 ? samples[samples.length - 1]!.at : Date.now();
  const start = Math.max(now - HISTORY_MS, samples[0]?.at ?? now);
  const span = Math.max(1, now - start);
  const points = samples
    .map((s) => ({ at: s.at, v: value(s) }))
    .filter((p): p is { at: number; v: number } => p.v !== null && Number.isFinite(p.v));
  const top = max ?? Math.max(1, ...points.map((p) => p.v)) * 1.25;
  const x = (at: number) => ((at - start) / span) * (width - 2) + 1;
  const y = (v: number) => height - 2 - (Math.min(v, top) / top) * (height - 4);
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.v).toFixed(1)}`)
    .join(' ');
  const last = points.length > 0 ? points[points.length - 1]!.v : null;
  return (
    <figure className="spark">
      <figcaption>
        {label} <strong>{format(last)}</strong> <span className="muted">({spanText(span)})</span>
      </figcaption>
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${label}, ${spanText(span)}: ${points.length} samples, latest ${format(last)}`}
      >
        <rect x="0" y="0" width={width} height={height} className="spark-bg" />
        {points.length === 1 && (
          <circle cx={x(points[0]!.at)} cy={y(points[0]!.v)} r="2" className="spark-dot" />
        )}
        {points.length > 1 && <path d={path} className="spark-line" />}
      </svg>
    </figure>
  );
}

function spanText(ms: number): string {
  if (ms >= HISTORY_MS - 60_000) return 'last hour';
  if (ms < 60_000) return `last ${Math.max(1, Math.round(ms / 1000))} s`;
  return `last ${Math.round(ms / 60_000)} min`;
}
