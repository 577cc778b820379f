// The only writer of webhook subscriptions and their deliveries. A delivery is keyed by subscription and event, so
// recording an event twice is harmless; a dispatcher leases a delivery with one conditional update before calling the
// receiver, so two replicas never send the same attempt, and every later write is conditional on that lease.
import type { Persistence } from './persistence';
import type { WebhookDeliveryDocument, WebhookSubscriptionDocument } from './schemas';

const nobody = new Date(0);

export interface DeliveryAttemptRecord {
  outcome: 'delivered' | 'retry' | 'dead';
  at: Date;
  nextAttemptAt?: Date;
  error?: string;
  status?: number;
}

export class WebhookStore {
  constructor(private readonly db: Persistence) {}

  async createSubscription(doc: WebhookSubscriptionDocument): Promise<void> {
    await this.db.webhookSubscriptions.collection.insertOne(doc as never);
  }

  async listSubscriptions(): Promise<WebhookSubscriptionDocument[]> {
    return this.db.webhookSubscriptions.find().sort({ createdAt: 1 }).lean<WebhookSubscriptionDocument[]>().exec();
  }

  async findSubscription(id: string): Promise<WebhookSubscriptionDocument | null> {
    return this.db.webhookSubscriptions.findById(id).lean<WebhookSubscriptionDocument>().exec();
  }

  async subscriptionsFor(eventType: string): Promise<WebhookSubscriptionDocument[]> {
    return this.db.webhookSubscriptions.find({ eventTypes: eventType }).lean<WebhookSubscriptionDocument[]>().exec();
  }

  /**
   * Deletes the subscription, then its deliveries. Cut in half, the deliveries left behind are dropped by the
   * dispatcher when it finds their subscription gone.
   */
  /** Stores values re-sealed under a new key, unless the subscription changed meanwhile; true when it was written. */
  async resealSubscription(
    id: string,
    expected: { sealedSecret: string; sealedUrl: string },
    resealed: { sealedSecret: string; sealedUrl: string },
  ): Promise<boolean> {
    const result = await this.db.webhookSubscriptions.collection.updateOne(
      { _id: id as never, sealedSecret: expected.sealedSecret, sealedUrl: expected.sealedUrl },
      { $set: resealed },
    );
    return result.modifiedCount === 1;
  }

  async deleteSubscription(id: string): Promise<boolean> {
    const result = await this.db.webhookSubscriptions.deleteOne({ _id: id }).exec();
    await this.db.webhookDeliveries.deleteMany({ subscriptionId: id }).exec();
    return result.deletedCount === 1;
  }

  /** Records one event for each subscription, once: a delivery that exists (any state) is left as it is. */
  async recordDeliveries(
    subscriptionIds: string[],
    event: { id: string; type: string; body: string },
    now: Date,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const subscriptionId of subscriptionIds) {
      const _id = `${subscriptionId}:${event.id}`;
      await this.db.webhookDeliveries
        .updateOne(
          { _id },
          {
            $setOnInsert: {
              _id,
              subscriptionId,
              eventId: event.id,
              eventType: event.type,
              body: event.body,
              state: 'pending',
              attempts: 0,
              nextAttemptAt: now,
              leaseUntil: nobody,
              createdAt: now,
            },
          },
          { upsert: true },
        )
        .exec();
      ids.push(_id);
    }
    return ids;
  }

  /** Ids of pending deliveries whose next attempt is due and that nobody holds, oldest first. */
  async dueDeliveries(now: Date, limit: number): Promise<string[]> {
    const docs = await this.db.webhookDeliveries
      .find({ state: 'pending', nextAttemptAt: { $lte: now }, leaseUntil: { $lte: now } }, { _id: 1 })
      .sort({ nextAttemptAt: 1 })
      .limit(limit)
      .lean<{ _id: string }[]>()
      .exec();
    return docs.map((doc) => doc._id);
  }

  /** Takes the delivery until `leaseUntil` when it is pending, due and free; null when it is not (any more). */
  async leaseDelivery(id: string, now: Date, leaseUntil: Date): Promise<WebhookDeliveryDocument | null> {
    return this.db.webhookDeliveries
      .findOneAndUpdate(
        { _id: id, state: 'pending', nextAttemptAt: { $lte: now }, leaseUntil: { $lte: now } },
        { $set: { leaseUntil } },
        { new: true },
      )
      .lean<WebhookDeliveryDocument>()
      .exec();
  }

  async findDelivery(id: string): Promise<WebhookDeliveryDocument | null> {
    return this.db.webhookDeliveries.findById(id).lean<WebhookDeliveryDocument>().exec();
  }

  /** Writes what one attempt led to, only while this dispatcher still holds the lease it took. */
  async recordAttempt(id: string, leaseUntil: Date, record: DeliveryAttemptRecord): Promise<boolean> {
    const set: Record<string, unknown> = { leaseUntil: nobody };
    const unset: Record<string, ''> = {};
    if (record.status !== undefined) set.lastStatus = record.status;
    else unset.lastStatus = '';
    if (record.error !== undefined) set.lastError = record.error;
    if (record.outcome === 'delivered') {
      set.state = 'delivered';
      set.deliveredAt = record.at;
      unset.lastError = '';
    } else if (record.outcome === 'dead') {
      set.state = 'dead';
      set.deadAt = record.at;
    } else {
      set.nextAttemptAt = record.nextAttemptAt ?? record.at;
    }
    const result = await this.db.webhookDeliveries
      .updateOne(
        { _id: id, state: 'pending', leaseUntil },
        { $set: set, $inc: { attempts: 1 }, ...(Object.keys(unset).length > 0 && { $unset: unset }) },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /** Drops a delivery whose subscription is gone. */
  async dropDelivery(id: string): Promise<void> {
    await this.db.webhookDeliveries.deleteOne({ _id: id }).exec();
  }

  /** The subscription's dead letters, oldest first. */
  async deadLetters(subscriptionId: string, limit: number): Promise<WebhookDeliveryDocument[]> {
    return this.db.webhookDeliveries
      .find({ subscriptionId, state: 'dead' })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean<WebhookDeliveryDocument[]>()
      .exec();
  }

  /** Puts dead letters (all, or the named ones) back to pending with a fresh attempt budget; returns how many. */
  async redeliver(subscriptionId: string, now: Date, deliveryIds?: string[]): Promise<number> {
    const filter: Record<string, unknown> = { subscriptionId, state: 'dead' };
    if (deliveryIds) filter._id = { $in: deliveryIds };
    const result = await this.db.webhookDeliveries
      .updateMany(filter, {
        $set: { state: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: nobody },
        $unset: { deadAt: '' },
      })
      .exec();
    return result.modifiedCount;
  }

  /** Forgets deliveries delivered before `before` (their events were acknowledged long ago). */
  async forgetDelivered(before: Date): Promise<number> {
    const result = await this.db.webhookDeliveries
      .deleteMany({ state: 'delivered', deliveredAt: { $lt: before } })
      .exec();
    return result.deletedCount;
  }
}
