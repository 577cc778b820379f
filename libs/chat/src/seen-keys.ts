// A bounded memory of keys seen recently, in this process only: Slack retries and replays, Discord re-sends.
// Entries expire after `ttlMs`; past `maxKeys` the oldest go first. (The messages the event relay has sent must
// outlive a restart: those are SentKeys, in a JetStream KV bucket.)
export class SeenKeys {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time a key is offered within its ttl (and remembers it); false for a repeat. */
  firstTime(key: string): boolean {
    const now = this.now();
    const at = this.seen.get(key);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.seen.delete(key);
    this.seen.set(key, now);
    this.prune(now);
    return true;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }

  private prune(now: number): void {
    for (const [key, at] of this.seen) {
      if (this.seen.size <= this.maxKeys && now - at < this.ttlMs) break;
      this.seen.delete(key);
    }
  }
}
