// A map with a size bound and per-entry expiry, for the API-key caches and the failed-authentication limiter: a flood
// of distinct keys or clients can only push out the least recently used entries, never grow memory.
export class BoundedCache<K, V> {
  // A Map iterates in insertion order; re-inserting on every read keeps the least recently used entry first.
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  /** `maxEntries` 0 keeps nothing. */
  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value, or undefined when it is absent or expired at `now` (an expired entry is dropped). */
  get(key: K, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, expiresAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
