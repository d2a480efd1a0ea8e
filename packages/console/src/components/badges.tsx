export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

export function UpDown({ up, label }: { up: boolean; label: string }) {
  return (
    <span className={`updown ${up ? 'is-up' : 'is-down'}`}>
      <span aria-hidden="true">{up ? '▲' : '▼'}</span> {label}: {up ? 'up' : 'down'}
    </span>
  );
}

export function Alert({
  children,
  kind = 'error',
}: {
  children: React.ReactNode;
  kind?: 'error' | 'info' | 'ok';
}) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
