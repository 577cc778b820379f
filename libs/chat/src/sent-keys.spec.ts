// The in-memory SentKeys: SeenKeys behind the interface the event relay uses.
import { describe, expect, it } from 'vitest';
import { SeenKeys } from './seen-keys';
import { MemorySentKeys } from './sent-keys';

describe('MemorySentKeys', () => {
  it('claims a key once within its ttl, and again after it was forgotten or expired', async () => {
    let now = 0;
    const sent = new MemorySentKeys(new SeenKeys(1_000, 100, () => now));

    expect(await sent.claim('e-1:c-1')).toBe(true);
    expect(await sent.claim('e-1:c-1')).toBe(false);
    await sent.forget('e-1:c-1');
    expect(await sent.claim('e-1:c-1')).toBe(true);
    now = 1_000;
    expect(await sent.claim('e-1:c-1')).toBe(true);
  });
});
