/** The "Load more" button under a cursor-paged list: shown while there is a next page. */
export function LoadMore({
  cursor,
  loading,
  onMore,
}: {
  readonly cursor: string | null;
  readonly loading: boolean;
  readonly onMore: (cursor: string) => void;
}) {
  if (!cursor) return null;
  return (
    <button type="button" className="secondary" disabled={loading} onClick={() => onMore(cursor)}>
      Load more
    </button>
  );
}
