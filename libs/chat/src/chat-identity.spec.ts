// A student's identity round-trips between the chat provider's ids and the claim API's userId.
import { describe, expect, it } from 'vitest';
import { parseChatUserId, renderChatUserId, type ChatIdentity } from './chat-identity';

describe('chat identities', () => {
  it.each<{ identity: ChatIdentity; userId: string }>([
    { identity: { provider: 'slack', team: 'T024BE7LD', user: 'U0G9QF9C6' }, userId: 'slack:T024BE7LD:U0G9QF9C6' },
    { identity: { provider: 'discord', user: '80351110224678912' }, userId: 'discord:80351110224678912' },
  ])('maps $userId both ways', ({ identity, userId }) => {
    expect(renderChatUserId(identity)).toBe(userId);
    expect(parseChatUserId(userId)).toEqual(identity);
  });

  it.each(['ada', 'slack:T1', 'slack:T1:U1:x', 'slack:t1:u1', 'discord:abc', 'discord:1:2', 'key:ak-1f3c'])(
    'finds no chat user in %j',
    (userId) => {
      expect(parseChatUserId(userId)).toBeUndefined();
    },
  );
});
