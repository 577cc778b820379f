// The adapters' configuration stops the process naming the variable, and does not ask for MongoDB.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@kubelabs/config';
import { ChatAdapterConfig } from './chat-adapter-config';

const valid = {
  NATS_URL: 'nats://127.0.0.1:4222',
  CLAIM_API_URL: 'http://claim-api:8080',
  CLAIM_API_KEY: 'kl_abcdefghijklmnopqrstuvwxyz',
};

describe('ChatAdapterConfig', () => {
  it('needs no MongoDB URL', () => {
    expect(loadConfig(ChatAdapterConfig, valid)).toMatchObject({ CLAIM_API_URL: valid.CLAIM_API_URL, MONGO_URL: '' });
  });

  it.each([
    { env: { ...valid, CLAIM_API_URL: '' }, error: 'invalid configuration: CLAIM_API_URL is required' },
    { env: { ...valid, CLAIM_API_KEY: 'short' }, error: /CLAIM_API_KEY must be 16-128/ },
    { env: { ...valid, MONGO_URL: 'nope' }, error: /MONGO_URL must be a mongodb/ },
    { env: { ...valid, CHAT_MESSAGES_PER_MINUTE: '0' }, error: /CHAT_MESSAGES_PER_MINUTE must be an integer/ },
  ])('refuses $error', ({ env, error }) => {
    expect(() => loadConfig(ChatAdapterConfig, env)).toThrow(error);
  });
});
