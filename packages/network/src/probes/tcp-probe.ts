/** A TCP connect from a given source address: the cheapest proof that a path (route, tunnel, firewall) is open. */
import { connect } from 'node:net';

export interface TcpProbeTarget {
  readonly host: string;
  readonly port: number;
  /** Source address to bind (the operator's egress address). */
  readonly localAddress?: string;
}

export interface TcpProbeResult {
  /** connected: the path and the listener are fine. refused: the path works but nothing listens (or a RST). */
  readonly outcome: 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error';
  readonly ms: number;
  readonly error?: string;
}

export function tcpProbe(target: TcpProbeTarget, timeoutMs = 2_000): Promise<TcpProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      ...(target.localAddress ? { localAddress: target.localAddress } : {}),
    });
    let done = false;
    const finish = (outcome: TcpProbeResult['outcome'], error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, ms: Math.round(performance.now() - started), ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => finish('timeout', `no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => finish('connected'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      if (code === 'ECONNREFUSED' || code === 'ECONNRESET') finish('refused', code);
      else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL')
        finish('unreachable', code);
      else finish('error', code);
    });
  });
}
