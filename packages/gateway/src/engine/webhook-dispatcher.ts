/**
 * Delivers webhooks from the persistent outbox: leased (one replica per delivery), signed with the
 * client's secret (HMAC-SHA256 over `<timestamp>.<body>`, header `Mnogate-Signature: t=..,v1=..`),
 * retried with exponential backoff up to maxAttempts, and never lost across restarts because the
 * outbox row is written in the same transaction as the final state.
 */
import { createHmac } from 'node:crypto';
import type { MnogateConfig } from '@mnogate/core';
import type { Logger } from 'pino';
import { request } from 'undici';
import type { Store, WebhookRecord } from '../store/store.js';
import { createPollingLoop } from './polling-loop.js';

export const SIGNATURE_HEADER = 'mnogate-signature';

export interface WebhookDispatcherOptions {
  readonly config: MnogateConfig;
  readonly store: Store;
  readonly logger: Logger;
  readonly owner: string;
  /** The signing secret of a client's webhooks. */
  readonly signingSecret: (clientId: string) => Promise<string | null>;
  /** How often the outbox is polled. @default 1_000 */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export interface WebhookDispatcher {
  start(): void;
  stop(): Promise<void>;
  runOnce(): Promise<number>;
}

/** `t=<unix seconds>,v1=<hex>`: what a receiver recomputes to check a delivery. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { store, logger, owner } = options;
  const settings = options.config.gateway.webhooks;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1_000;
  const leaseMs = settings.timeoutMs * 2;

  async function deliver(hook: WebhookRecord): Promise<void> {
    const secret = await options.signingSecret(hook.clientId);
    const ts = Math.floor(now() / 1000);
    try {
      const res = await request(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'mnogate-webhooks',
          'mnogate-event': hook.eventType,
          'mnogate-delivery': hook.id,
          ...(secret ? { [SIGNATURE_HEADER]: signWebhook(secret, ts, hook.payload) } : {}),
        },
        body: hook.payload,
        headersTimeout: settings.timeoutMs,
        bodyTimeout: settings.timeoutMs,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await store.markWebhookDelivered(hook.id, now());
        return;
      }
      throw new Error(`HTTP ${res.statusCode}`);
    } catch (err) {
      const attempts = hook.attempts + 1;
      const giveUp = attempts >= settings.maxAttempts;
      const delay = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** (attempts - 1));
      await store.markWebhookFailed(hook.id, (err as Error).message, giveUp ? null : now() + delay);
      logger.warn(
        { webhookId: hook.id, attempts, giveUp, error: (err as Error).message },
        'webhook delivery failed',
      );
    }
  }

  async function runOnce(): Promise<number> {
    const hooks = await store.claimWebhooks(owner, now(), leaseMs, 20);
    await Promise.all(hooks.map(deliver));
    return hooks.length;
  }

  const loop = createPollingLoop({
    pass: runOnce,
    intervalMs,
    fullBatch: 1, // anything delivered: look again at once
    onError: (err) => logger.error({ err }, 'webhook pass failed'),
  });

  return {
    start: () => loop.start(),
    stop: () => loop.stop(),
    runOnce,
  };
}
