/** Reads tunnel state and byte counters from charon over VICI (`list-sas`). */
import type { ViciClient } from '../vici/client.js';
import type { ViciMessage } from '../vici/message-codec.js';

export interface TunnelSa {
  /** The IKE connection name, e.g. `mtn-tunnel1`. */
  readonly tunnel: string;
  /** The operator id the name carries (`<operator>-tunnelN`), or the name itself. */
  readonly operatorId: string;
  /** IKE_SA state: ESTABLISHED, CONNECTING, DELETING... */
  readonly state: string;
  /** The CHILD_SA's state (INSTALLED when traffic can flow), or `none`. */
  readonly child: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly localHost: string;
  readonly remoteHost: string;
}

function obj(v: unknown): ViciMessage | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as ViciMessage) : undefined;
}

/** Every IKE_SA with its (first installed, else first) CHILD_SA's counters. */
export async function readTunnelSas(vici: ViciClient): Promise<TunnelSa[]> {
  const out: TunnelSa[] = [];
  for (const event of await vici.listSas({ noblock: true })) {
    for (const [name, value] of Object.entries(event)) {
      const ike = obj(value);
      if (!ike) continue;
      const children = Object.values(obj(ike['child-sas']) ?? {})
        .map(obj)
        .filter((c): c is ViciMessage => Boolean(c));
      const child = children.find((c) => c.state === 'INSTALLED') ?? children[0];
      const num = (k: string) => children.reduce((n, c) => n + Number(c[k] ?? 0), 0);
      out.push({
        tunnel: name,
        operatorId: name.replace(/-tunnel\d$/, ''),
        state: String(ike.state ?? 'UNKNOWN'),
        child: child ? String(child.state ?? 'UNKNOWN') : 'none',
        bytesIn: num('bytes-in'),
        bytesOut: num('bytes-out'),
        packetsIn: num('packets-in'),
        packetsOut: num('packets-out'),
        localHost: String(ike['local-host'] ?? ''),
        remoteHost: String(ike['remote-host'] ?? ''),
      });
    }
  }
  return out;
}

/** True when the tunnel can carry traffic: IKE established and its CHILD_SA installed. */
export function tunnelUp(sa: TunnelSa | undefined): boolean {
  return sa?.state === 'ESTABLISHED' && sa.child === 'INSTALLED';
}
