/** What each operator saw, for the control API and for tests that assert on traffic. */
export interface OperatorCounters {
  connectionsAccepted: number;
  /** Connections the whitelist refused (source outside it, or deny-all). */
  connectionsRefused: number;
  refusedSources: Record<string, number>;
  requests: number;
  topups: number;
  credited: number;
  duplicates: number;
  authFailures: number;
  statusQueries: number;
  badRequests: number;
  /** Top-ups by the fault applied to them. */
  faults: Record<string, number>;
  /** Top-ups by outcome. */
  outcomes: Record<string, number>;
}

export function emptyCounters(): OperatorCounters {
  return {
    connectionsAccepted: 0,
    connectionsRefused: 0,
    refusedSources: {},
    requests: 0,
    topups: 0,
    credited: 0,
    duplicates: 0,
    authFailures: 0,
    statusQueries: 0,
    badRequests: 0,
    faults: {},
    outcomes: {},
  };
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
