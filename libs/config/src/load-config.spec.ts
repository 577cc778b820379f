import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, PlatformConfig } from './index';

const valid = { NATS_URL: 'nats://127.0.0.1:4222', MONGO_URL: 'mongodb://127.0.0.1:27017/kubelabs' };

describe('loadConfig', () => {
  it('builds a typed object with defaults from a valid environment', () => {
    const config = loadConfig(PlatformConfig, { ...valid, HTTP_PORT: '8080' });
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.KUBECONFIG).toBeUndefined();
  });

  it.each([
    {
      name: 'a missing variable',
      env: { NATS_URL: valid.NATS_URL },
      variable: 'MONGO_URL',
      message: /MONGO_URL is required/,
    },
    {
      name: 'a malformed URL',
      env: { ...valid, NATS_URL: 'http://x' },
      variable: 'NATS_URL',
      message: /NATS_URL must be a nats:\/\/ URL/,
    },
    {
      name: 'a non-numeric port',
      env: { ...valid, HTTP_PORT: '80a' },
      variable: 'HTTP_PORT',
      message: /HTTP_PORT must be an integer from 0 to 65535/,
    },
    { name: 'an unknown log level', env: { ...valid, LOG_LEVEL: 'loud' }, variable: 'LOG_LEVEL', message: /LOG_LEVEL/ },
  ])('rejects $name with one line naming the variable', ({ env, variable, message }) => {
    let caught: unknown;
    try {
      loadConfig(PlatformConfig, env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message).toMatch(message);
    expect((caught as ConfigError).message).not.toContain('\n');
  });

  it('never prints the value of a rejected variable', () => {
    expect(() => loadConfig(PlatformConfig, { ...valid, MONGO_URL: 'mongodb://user:s3cret@host' })).toThrow(
      /^((?!s3cret).)*$/,
    );
  });
});
