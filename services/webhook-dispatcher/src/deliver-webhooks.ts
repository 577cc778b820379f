// The delivery loop, a reconciler on the controller kit keyed by delivery (`<subscription>:<event id>`): lease the
// delivery (one conditional update, so replicas never send the same attempt), render and send the signed request,
// plan what follows (delivered, retry after a bounded exponential backoff, dead letter) and record it under the
// lease. Events make it fast (the consumer enqueues what it recorded); the poll finds retries that fell due,
// redeliveries asked for over the API, and deliveries a crashed replica held; a lease that runs out frees them.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { openWebhookFields, planAttemptOutcome, type AttemptResult } from '@kubelabs/domain';
import { splitKeyList } from '@kubelabs/config';
import { Persistence, WebhookStore } from '@kubelabs/persistence';
import { ReconcileLoop, type ReconcileResult } from '@kubelabs/reconcile';
import { Metrics } from '@kubelabs/runtime';
import { retryPolicyFrom, targetRulesFrom, WebhookDispatcherConfig } from './config';
import { renderWebhookRequest } from './render-webhook-request';
import { sendWebhook } from './send-webhook';

const retentionKey = '#retention';
const duePageSize = 500;

@Injectable()
export class DeliverWebhooks implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeliverWebhooks');
  private readonly store: WebhookStore;
  private readonly loop: ReconcileLoop;
  private readonly keys: { current: Buffer; previous: Buffer[] };
  private readonly attempts: Counter<string>;

  constructor(
    db: Persistence,
    @Inject(WebhookDispatcherConfig) private readonly config: WebhookDispatcherConfig,
    metrics: Metrics,
  ) {
    this.store = new WebhookStore(db);
    this.keys = {
      current: Buffer.from(config.WEBHOOK_SECRET_KEY, 'base64'),
      previous: splitKeyList(config.WEBHOOK_PREVIOUS_SECRET_KEYS).map((key) => Buffer.from(key, 'base64')),
    };
    this.attempts = metrics.counter('kubelabs_webhook_attempts_total', 'Webhook delivery attempts by outcome', [
      'outcome',
    ]);
    this.loop = new ReconcileLoop(
      {
        name: 'webhook-deliveries',
        reconcile: (key) => (key === retentionKey ? this.forgetDelivered() : this.deliver(key)),
        concurrency: config.WEBHOOK_CONCURRENCY,
        backoff: { baseMs: 250, maxMs: 30_000 },
        poll: {
          everyMs: config.WEBHOOK_POLL_INTERVAL_MS,
          keys: () => this.store.dueDeliveries(new Date(), duePageSize),
        },
        resync: { everyMs: 60 * 60_000, keys: async () => [retentionKey] },
      },
      { registry: metrics.registry, logger: this.logger },
    );
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Sends these deliveries soon (the consumer just recorded them); does not wait for the attempts. */
  enqueue(deliveryIds: string[]): void {
    for (const id of deliveryIds) void this.loop.enqueue(id);
  }

  private async deliver(id: string, now = new Date()): Promise<ReconcileResult | void> {
    const leaseUntil = new Date(now.getTime() + this.config.WEBHOOK_TIMEOUT_MS + 5_000);
    const delivery = await this.store.leaseDelivery(id, now, leaseUntil);
    if (!delivery) {
      // Not due yet, delivered, dead, or held by another replica: come back when it may be due.
      const current = await this.store.findDelivery(id);
      if (current?.state !== 'pending') return;
      const dueAt = Math.max(current.nextAttemptAt.getTime(), current.leaseUntil.getTime());
      return { requeueAfterMs: Math.max(10, dueAt - now.getTime()) };
    }
    const subscription = await this.store.findSubscription(delivery.subscriptionId);
    if (!subscription) {
      await this.store.dropDelivery(id);
      return;
    }
    const attempt = delivery.attempts + 1;
    const opened = openWebhookFields(
      { id: subscription._id, sealedSecret: subscription.sealedSecret, sealedUrl: subscription.sealedUrl },
      this.keys,
    );
    // Sealed under a key being rotated out: stored again under the current one (unless it changed meanwhile).
    if (opened?.resealed) await this.store.resealSubscription(subscription._id, subscription, opened.resealed);
    const result: AttemptResult = opened
      ? await sendWebhook(
          opened.url,
          renderWebhookRequest({
            body: delivery.body,
            secret: opened.secret,
            subscriptionId: subscription._id,
            deliveryId: id,
            attempt,
            now: new Date(),
          }),
          { rules: targetRulesFrom(this.config), timeoutMs: this.config.WEBHOOK_TIMEOUT_MS },
        )
      : {
          kind: 'refused',
          reason:
            'the sealed URL or secret opens with none of the configured keys (WEBHOOK_SECRET_KEY, WEBHOOK_PREVIOUS_SECRET_KEYS)',
        };
    const at = new Date();
    const outcome = planAttemptOutcome(attempt, result, retryPolicyFrom(this.config), at);
    this.attempts.inc({ outcome: outcome.kind });
    const recorded = await this.store.recordAttempt(id, leaseUntil, {
      outcome: outcome.kind,
      at,
      ...(outcome.kind === 'retry' && { nextAttemptAt: outcome.nextAttemptAt }),
      ...(outcome.kind !== 'delivered' && { error: outcome.reason }),
      ...(outcome.status !== undefined && { status: outcome.status }),
    });
    if (!recorded)
      this.logger.warn({ deliveryId: id }, 'attempt not recorded: its lease ran out, or the subscription was deleted');
    if (outcome.kind === 'dead')
      this.logger.warn({ deliveryId: id, reason: outcome.reason }, 'webhook delivery dead-lettered');
    if (outcome.kind === 'retry') return { requeueAfterMs: outcome.nextAttemptAt.getTime() - at.getTime() };
  }

  private async forgetDelivered(): Promise<void> {
    const before = new Date(Date.now() - this.config.WEBHOOK_DELIVERED_RETENTION_HOURS * 3_600_000);
    await this.store.forgetDelivered(before);
  }
}
