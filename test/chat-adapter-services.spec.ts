// The chat adapters are services like the others: they start without MongoDB or Kubernetes, report health and
// readiness (NATS and their consumer), serve metrics, stop cleanly on SIGTERM, and a missing secret stops them at
// start-up with one line naming the variable, without printing any value.
import { describe, expect, inject, it } from 'vitest';
import { startServiceProcess } from './support/service-process';

const common = () => ({
  NATS_URL: inject('lanes').natsUrl,
  NATS_SUBJECT_PREFIX: `chatsvc${process.pid}${Math.floor(Math.random() * 1e6)}`,
  CLAIM_API_URL: 'http://127.0.0.1:9',
  CLAIM_API_KEY: 'kl_a_claim_scoped_key_for_tests',
});
const settings = {
  'slack-adapter': { SLACK_SIGNING_SECRET: 'slackSigningSecret0123456789abcd', SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcd' },
  'discord-adapter': {
    DISCORD_PUBLIC_KEY: 'a'.repeat(64),
    DISCORD_APPLICATION_ID: '123456789012345678',
    DISCORD_BOT_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.test.token',
  },
} as const;

describe.each(Object.keys(settings) as (keyof typeof settings)[])('the %s service', (name) => {
  it('starts without MongoDB or Kubernetes, is ready, serves metrics and stops cleanly on SIGTERM', async () => {
    const service = await startServiceProcess(name, { ...common(), ...settings[name] });
    try {
      const ready = await fetch(`${service.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: Record<string, boolean> }).checks).toMatchObject({
        nats: true,
        consumers: true,
      });
      expect(await (await fetch(`${service.url}/metrics`)).text()).toMatch(/kubelabs_process_cpu_user_seconds_total/);
    } finally {
      const exit = await service.stop('SIGTERM');
      expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    }
    expect(service.logs.join('\n')).toContain('connections closed');
  });

  it('stops at start-up naming a missing secret, and never prints a secret', async () => {
    const [first, ...rest] = Object.entries(settings[name]);
    const service = await startServiceProcess(
      name,
      { ...common(), ...Object.fromEntries(rest) },
      { waitHealthy: false },
    );
    const exit = await service.exited;
    expect(exit.code).toBe(78);
    expect(service.logs).toEqual([`invalid configuration: ${first![0]} is required`]);
  });
});
