// A chat user's platform identity: the claim API knows students by an opaque, prefixed user id. Slack users are
// scoped by their workspace (team), Discord users are global; the mapping is one pure function each way.

export type ChatIdentity = { provider: 'slack'; team: string; user: string } | { provider: 'discord'; user: string };

const slackId = /^[A-Z0-9]{1,20}$/;
const discordId = /^[0-9]{1,20}$/;

/** The claim API's userId for a chat user ('slack:T024BE7LD:U0G9QF9C6', 'discord:80351110224678912'). */
export function renderChatUserId(identity: ChatIdentity): string {
  return identity.provider === 'slack' ? `slack:${identity.team}:${identity.user}` : `discord:${identity.user}`;
}

/** The chat user behind a userId, or undefined when it is not one this provider's adapter can reach. */
export function parseChatUserId(userId: string): ChatIdentity | undefined {
  const [provider, a, b, ...rest] = userId.split(':');
  if (rest.length > 0) return undefined;
  if (provider === 'slack' && a && b && slackId.test(a) && slackId.test(b))
    return { provider: 'slack', team: a, user: b };
  if (provider === 'discord' && a && b === undefined && discordId.test(a)) return { provider: 'discord', user: a };
  return undefined;
}

/** Whether the ids a provider sends are ones renderChatUserId can turn into a valid userId. */
export function isValidChatIdentity(identity: ChatIdentity): boolean {
  return identity.provider === 'slack'
    ? slackId.test(identity.team) && slackId.test(identity.user)
    : discordId.test(identity.user);
}
