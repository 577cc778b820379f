// What ChatEventRelay needs to send each message at most once: a key is claimed before its message goes out and
// given back when the send fails, so the redelivery of the event sends it then. The adapters keep the keys in a
// JetStream Key-Value bucket (KvSentKeys), which outlives a restart and is shared by replicas; MemorySentKeys keeps
// them in the process, for code that has no NATS connection.
import { SeenKeys } from './seen-keys';

export interface SentKeys {
  /** True the first time `key` is claimed (within the store's ttl); false when it was claimed already. */
  claim(key: string): Promise<boolean>;
  /** Gives `key` back after its message failed, so the next claim of it is true again. */
  forget(key: string): Promise<void>;
}

/** SentKeys in this process only: a restart forgets every key. */
export class MemorySentKeys implements SentKeys {
  constructor(private readonly seen: SeenKeys = new SeenKeys(24 * 3600_000)) {}

  claim(key: string): Promise<boolean> {
    return Promise.resolve(this.seen.firstTime(key));
  }

  forget(key: string): Promise<void> {
    this.seen.forget(key);
    return Promise.resolve();
  }
}
