// Webhook subscriptions for integrations that cannot speak NATS: create (target checked, secret generated, shown once,
// stored sealed), list, read, delete, and each subscription's dead letters and their redelivery. Deliveries are the
// webhook dispatcher's work; this side only writes what an admin asks for.
import { lookup } from 'node:dns/promises';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { splitCidrList, splitKeyList } from '@kubelabs/config';
import {
  DomainError,
  generateWebhookSecret,
  hostOf,
  planWebhookUrl,
  refusalOf,
  openWebhookFields,
  sealWebhookSecret,
  sealWebhookUrl,
  type WebhookTargetRules,
} from '@kubelabs/domain';
import {
  Persistence,
  WebhookStore,
  type WebhookDeliveryDocument,
  type WebhookSubscriptionDocument,
} from '@kubelabs/persistence';
import { ClaimApiConfig } from '../config';

const resolveTimeoutMs = 3_000;
export const deadLetterPageSize = 500;

/** Every address `host` resolves to (an IP literal is itself), or a problem naming why it cannot be used. */
export async function resolveTarget(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), resolveTimeoutMs);
      }),
    ]);
    return addresses.map((entry) => entry.address);
  } catch (error) {
    throw new DomainError(
      'webhook.target_refused',
      `the webhook host ${host} does not resolve (${error instanceof Error ? error.message : String(error)})`,
      { host },
    );
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class ManageWebhooks {
  private readonly store: WebhookStore;
  private readonly key: Buffer | undefined;
  private readonly previousKeys: Buffer[];
  private readonly rules: WebhookTargetRules;

  constructor(db: Persistence, @Inject(ClaimApiConfig) config: ClaimApiConfig) {
    this.store = new WebhookStore(db);
    this.key = config.WEBHOOK_SECRET_KEY ? Buffer.from(config.WEBHOOK_SECRET_KEY, 'base64') : undefined;
    this.previousKeys = splitKeyList(config.WEBHOOK_PREVIOUS_SECRET_KEYS).map((key) => Buffer.from(key, 'base64'));
    this.rules = {
      refusedCidrs: splitCidrList(config.WEBHOOK_REFUSED_CIDRS),
      allowedCidrs: splitCidrList(config.WEBHOOK_ALLOWED_CIDRS),
    };
  }

  async create(input: {
    url: string;
    eventTypes: string[];
    description?: string;
  }): Promise<{ subscription: WebhookSubscriptionDocument; secret: string }> {
    const key = this.requireKey();
    const plan = planWebhookUrl(input.url);
    if ('problem' in plan) throw new DomainError('input.invalid', plan.problem, { errors: [plan.problem] });
    const host = hostOf(plan.url);
    for (const address of await resolveTarget(host)) {
      const refusal = refusalOf(address, this.rules);
      if (refusal) throw new DomainError('webhook.target_refused', `the webhook host ${host} is refused: ${refusal}`);
    }
    const id = `wh-${randomUUID()}`;
    const secret = generateWebhookSecret();
    const subscription: WebhookSubscriptionDocument = {
      _id: id,
      sealedUrl: sealWebhookUrl(plan.url.toString(), key, id),
      host: plan.url.host,
      eventTypes: [...new Set(input.eventTypes)],
      sealedSecret: sealWebhookSecret(secret, key, id),
      secretPrefix: secret.slice(0, 10),
      createdAt: new Date(),
      ...(input.description !== undefined && { description: input.description }),
    };
    await this.store.createSubscription(subscription);
    return { subscription, secret };
  }

  async list(): Promise<WebhookSubscriptionDocument[]> {
    this.requireKey();
    return this.store.listSubscriptions();
  }

  async get(id: string): Promise<WebhookSubscriptionDocument> {
    this.requireKey();
    const subscription = await this.store.findSubscription(id);
    if (!subscription) throw new DomainError('webhook.not_found', `no webhook subscription ${id}`, { id });
    return subscription;
  }

  async delete(id: string): Promise<void> {
    this.requireKey();
    if (!(await this.store.deleteSubscription(id)))
      throw new DomainError('webhook.not_found', `no webhook subscription ${id}`, { id });
  }

  async deadLetters(id: string): Promise<WebhookDeliveryDocument[]> {
    await this.get(id);
    return this.store.deadLetters(id, deadLetterPageSize);
  }

  /** Dead letters (all, or those named) go back to pending; the dispatcher's next poll sends them. */
  async redeliver(id: string, deliveryIds?: string[]): Promise<number> {
    await this.get(id);
    return this.store.redeliver(id, new Date(), deliveryIds);
  }

  /**
   * The subscription's target URL, or undefined when no configured key opens it. One sealed under a previous key
   * (a key rotation) is sealed again under the current key and stored, unless it changed meanwhile.
   */
  async urlOf(subscription: WebhookSubscriptionDocument): Promise<string | undefined> {
    const opened = openWebhookFields(
      { id: subscription._id, sealedSecret: subscription.sealedSecret, sealedUrl: subscription.sealedUrl },
      { current: this.requireKey(), previous: this.previousKeys },
    );
    if (opened?.resealed) await this.store.resealSubscription(subscription._id, subscription, opened.resealed);
    return opened?.url;
  }

  private requireKey(): Buffer {
    if (!this.key)
      throw new DomainError('webhook.disabled', 'webhooks are disabled: the claim API has no WEBHOOK_SECRET_KEY');
    return this.key;
  }
}
