/** The webhook a final state enqueues, in the same transaction as the state change. */
import type { RechargeRecord, WebhookInput } from '../store/store.js';
import { rechargeView } from './recharge-view.js';

export async function webhookFor(
  record: RechargeRecord,
  options: { webhookTarget: (clientId: string) => Promise<{ url: string } | null> },
): Promise<WebhookInput | undefined> {
  const target = await options.webhookTarget(record.clientId);
  if (!target) return undefined;
  const eventType = `recharge.${record.status}`;
  return {
    clientId: record.clientId,
    url: target.url,
    eventType,
    payload: JSON.stringify({ type: eventType, data: rechargeView(record) }),
  };
}
