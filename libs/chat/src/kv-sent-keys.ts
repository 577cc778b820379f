// The sent keys of a chat adapter's event relay in a NATS JetStream Key-Value bucket, so an adapter that restarts (or
// a second replica handed a redelivery) knows which direct messages already went out. A claim is the server's atomic
// "create only if absent"; entries expire with the bucket's max age, as long as JetStream can redeliver an event.
import { createHash } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { ChatIdentity } from './chat-identity';
import type { SentKeys } from './sent-keys';

export interface KvSentKeysOptions {
  bucket: string;
  /** How long a key stays claimed (the bucket's max age). */
  ttlMs?: number;
  /** The bucket's stream replicas (1, 3 or 5), as the platform's streams. */
  replicas?: number;
}

const day = 24 * 3600_000;

/** One bucket per adapter and platform: `chat_sent_slack`, or `chat_sent_slack_<prefix>` beside other platforms. */
export function sentKeysBucket(provider: ChatIdentity['provider'], subjectPrefix: string): string {
  return `chat_sent_${provider}${subjectPrefix ? `_${subjectPrefix}` : ''}`;
}

/** A KV key for any notice key: KV keys allow only `[-/_=.a-zA-Z0-9]`, notice keys carry `:` and more. */
export function renderSentKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class KvSentKeys implements SentKeys {
  private constructor(private readonly kv: KV) {}

  /**
   * Opens the bucket at start-up, creating it when it is missing and bringing its max age and replicas to the ones
   * asked for when they drifted. Idempotent: every replica of an adapter runs it.
   */
  static async open(nc: NatsConnection, options: KvSentKeysOptions): Promise<KvSentKeys> {
    const ttlMs = options.ttlMs ?? day;
    const replicas = options.replicas ?? 1;
    const desired: Partial<KvOptions> = {
      history: 1,
      ttl: ttlMs,
      replicas,
      description: 'Chat messages already sent, by (event, claim): a redelivery does not send them again',
    };
    try {
      const kvm = new Kvm(nc);
      // A replica starting at the same moment may create it between our look and our create: look again once.
      const kv = await kvm.create(options.bucket, desired).catch(() => kvm.create(options.bucket, desired));
      const status = await kv.status();
      if (status.ttl !== ttlMs || status.replicas !== replicas || status.history !== 1) {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.update(status.streamInfo.config.name, {
          max_age: nanos(ttlMs),
          num_replicas: replicas,
          max_msgs_per_subject: 1,
        });
      }
      return new KvSentKeys(kv);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`declaring the KV bucket ${options.bucket}: ${reason}`, { cause: error });
    }
  }

  async claim(key: string): Promise<boolean> {
    try {
      // The value is the notice key itself, so an operator reading the bucket sees what each entry stands for.
      await this.kv.create(renderSentKey(key), key);
      return true;
    } catch (error) {
      if (isAlreadyClaimed(error)) return false;
      throw error;
    }
  }

  async forget(key: string): Promise<void> {
    await this.kv.delete(renderSentKey(key));
  }
}

// `create` sends "expected last sequence 0" (or the delete marker's): the server refuses it when the key holds a value.
function isAlreadyClaimed(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
