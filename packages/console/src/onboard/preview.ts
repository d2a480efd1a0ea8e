/**
 * Previews of what the new operator means on the network: its part of the address plan and the
 * strongSwan configuration its VPN team would load, rendered by @mnogate/network with placeholder
 * pre-shared keys (the real ones stay in the secrets store).
 */
import type { MnogateConfig } from '@mnogate/core';
import { planAddresses } from '@mnogate/network/address-plan';
import { renderSwanctlConf } from '@mnogate/network/swanctl-conf';

export const PLACEHOLDER_PSKS = ['<pre-shared key of tunnel 1>', '<pre-shared key of tunnel 2>'] as const;

export interface Previews {
  readonly plan: string | null;
  readonly swanctl: string | null;
  readonly error: string | null;
}

export function previewOperator(config: MnogateConfig, operatorId: string): Previews {
  let plan: string | null = null;
  let swanctl: string | null = null;
  try {
    const full = planAddresses(config);
    const mine = full.operators.find((o) => o.operatorId === operatorId);
    plan = JSON.stringify({ vpcCidr: full.vpcCidr, operator: mine ?? null }, null, 2);
    const op = config.operators.find((o) => o.id === operatorId);
    if (op?.vpn) swanctl = renderSwanctlConf(config, operatorId, { side: 'peer', psk: PLACEHOLDER_PSKS });
    return { plan, swanctl, error: null };
  } catch (err) {
    return { plan, swanctl, error: (err as Error).message };
  }
}
