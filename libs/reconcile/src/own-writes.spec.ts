import { describe, expect, it } from 'vitest';
import { OwnWrites } from './own-writes';

const object = (uid: string, resourceVersion: string) => ({ metadata: { uid, resourceVersion } });

describe('OwnWrites', () => {
  it('recognises the events of its own writes and nobody else’s', () => {
    const own = new OwnWrites();
    own.applied(object('a', '10'));
    own.deleted('b');
    expect(own.isEcho({ type: 'ADDED', object: object('a', '10'), relisted: false })).toBe(true);
    expect(own.isEcho({ type: 'MODIFIED', object: object('a', '11'), relisted: false })).toBe(false); // someone else
    expect(own.isEcho({ type: 'DELETED', object: object('b', '12'), relisted: false })).toBe(true);
    expect(own.isEcho({ type: 'DELETED', object: object('a', '13'), relisted: false })).toBe(false);
    expect(own.isEcho({ type: 'ADDED', object: { metadata: {} }, relisted: false })).toBe(false);
  });

  it('forgets the oldest writes past its capacity', () => {
    const own = new OwnWrites(2);
    own.applied(object('a', '1'));
    own.applied(object('b', '1'));
    own.applied(object('c', '1'));
    expect(own.isEcho({ type: 'ADDED', object: object('a', '1'), relisted: false })).toBe(false);
    expect(own.isEcho({ type: 'ADDED', object: object('c', '1'), relisted: false })).toBe(true);
  });
});
