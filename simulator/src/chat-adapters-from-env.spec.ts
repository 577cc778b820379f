// `npm run dev` starts a chat adapter only when that provider's secrets are in the environment.
import { describe, expect, it } from 'vitest';
import { chatAdaptersFromEnv } from './run-platform';

describe('chatAdaptersFromEnv', () => {
  it.each([
    { name: 'no secrets: no adapter', env: {}, adapters: [] },
    { name: 'half of Slack: no adapter', env: { SLACK_SIGNING_SECRET: 's' }, adapters: [] },
    {
      name: 'Slack',
      env: { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', OTHER: 'x' },
      adapters: ['slack-adapter'],
    },
    {
      name: 'both',
      env: {
        SLACK_SIGNING_SECRET: 's',
        SLACK_BOT_TOKEN: 'xoxb-1',
        DISCORD_PUBLIC_KEY: 'k',
        DISCORD_APPLICATION_ID: '1',
        DISCORD_BOT_TOKEN: 't',
      },
      adapters: ['slack-adapter', 'discord-adapter'],
    },
  ])('$name', ({ env, adapters }) => {
    expect(Object.keys(chatAdaptersFromEnv(env))).toEqual(adapters);
  });

  it('passes only the provider settings on', () => {
    expect(chatAdaptersFromEnv({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'b', PATH: '/bin' })).toEqual({
      'slack-adapter': { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'b' },
    });
  });
});
