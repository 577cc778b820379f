// The Discord adapter driven the way Discord drives it: Ed25519-signed interactions against its endpoint (PING,
// the /lab application command, button presses), and Discord's REST API played by a local stand-in at the network
// edge (the only mock) whose recorded calls are asserted. The platform behind it is the real one, on the lanes.
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { waitFor } from '@kubelabs/testing';
import type { RunningPlatform } from '../simulator/src/run-platform';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { api, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';
import {
  buttonInteraction,
  commandInteraction,
  discordApplicationKeys,
  discordSignedHeaders,
  startDiscordStandIn,
  type DiscordCall,
  type DiscordStandIn,
} from './support/discord-stand-in';

const keys = discordApplicationKeys();
const platforms = usePlatform();
const botToken = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.test.bot-token-for-the-stand-in';

async function startAdapter(discord: DiscordStandIn, env: Record<string, string>): Promise<ServiceProcess> {
  const adapter = await startServiceProcess('discord-adapter', {
    DISCORD_PUBLIC_KEY: keys.publicKey,
    DISCORD_APPLICATION_ID: '123456789012345678',
    DISCORD_BOT_TOKEN: botToken,
    DISCORD_API_URL: discord.url,
    LOG_LEVEL: 'warn',
    ...env,
  });
  onTestFinished(() => adapter.stop('SIGTERM', 10_000).then(() => undefined));
  return adapter;
}

async function post(adapter: ServiceProcess, body: string, headers: Record<string, string>) {
  const res = await fetch(`${adapter.url}/discord/interactions`, { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}
const signed = (adapter: ServiceProcess, body: string) =>
  post(adapter, body, discordSignedHeaders(keys.privateKey, body));

async function message(discord: DiscordStandIn, to: string, text: RegExp): Promise<DiscordCall> {
  let found: DiscordCall | undefined;
  await waitFor(
    `a Discord message to ${to} matching ${text}`,
    async () => (found = discord.messages(to).find((m) => text.test(m.content))) !== undefined,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return found!;
}

const buttons = (call: DiscordCall) => call.components.flatMap((row) => row.components.map((b) => b.custom_id));

async function adapterKey(platform: RunningPlatform): Promise<string> {
  const created = await api<{ key: string }>(platform, 'POST', '/v1/api-keys', {
    name: 'discord-adapter',
    scopes: ['claim'],
  });
  return created.body.key;
}

describe('discord adapter', () => {
  it('answers PING with PONG and 1,000 invalid-signature probes with 401', async () => {
    const discord = await startDiscordStandIn();
    onTestFinished(() => discord.close());
    const adapter = await startAdapter(discord, {
      NATS_URL: inject('lanes').natsUrl,
      NATS_SUBJECT_PREFIX: `discordprobe${process.pid}`,
      CLAIM_API_URL: 'http://127.0.0.1:9',
      CLAIM_API_KEY: 'kl_unused_key_for_probes',
    });
    const ping = JSON.stringify({ id: '1', type: 1, application_id: '123456789012345678', token: 't', version: 1 });
    const pong = await signed(adapter, ping);
    expect(pong.status).toBe(200);
    expect(JSON.parse(pong.body)).toEqual({ type: 1 });

    const other = discordApplicationKeys();
    const valid = discordSignedHeaders(keys.privateKey, ping);
    const probes: (() => Record<string, string>)[] = [
      () => discordSignedHeaders(other.privateKey, ping), // Discord's own probe: a PING signed with another key
      () => ({ 'content-type': 'application/json' }),
      () => ({ ...valid, 'x-signature-ed25519': '0'.repeat(128) }),
      () => ({ ...valid, 'x-signature-ed25519': 'not-hex' }),
      () => discordSignedHeaders(keys.privateKey, ping, String(Math.floor(Date.now() / 1000) - 3600)),
      () => ({ ...valid, 'x-signature-timestamp': String(Number(valid['x-signature-timestamp']) + 1) }),
    ];
    const statuses = new Map<string, number>();
    for (let i = 0; i < 1000; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) => post(adapter, ping, probes[(i + j) % probes.length]!())),
      );
      for (const answer of batch) {
        const seen = `${answer.status} ${answer.type.split(';')[0]}`;
        statuses.set(seen, (statuses.get(seen) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ '401 application/problem+json': 1000 });
    // A body changed after signing is refused too.
    expect((await post(adapter, ping.replace('"type":1', '"type":2'), valid)).status).toBe(401);
    expect(discord.calls).toHaveLength(0);
  });

  it('runs a lab from /lab start to release, deferred answers and follow-ups, the key only by DM, 429s waited out', async () => {
    const discord = await startDiscordStandIn();
    onTestFinished(() => discord.close());
    discord.throttle(4, 1); // every 4th call: 429 with retry_after 1
    const platform = await platforms.start({
      labs: [testLab('discord-flow', { minReady: 1, maxTotal: 2, durationMinutes: 5 })],
      simulator: { bootMs: 1000 },
      serviceEnv: {
        'pool-manager': { EXPIRING_NOTICE_MINUTES: '10' },
        'netpol-enforcer': { EXPOSURE_PUBLIC_HOST: 'labs.example.org' },
      },
    });
    await waitForPoolsFull(platform);
    const adapter = await startAdapter(discord, {
      NATS_URL: platform.env.NATS_URL!,
      NATS_SUBJECT_PREFIX: platform.instance,
      CLAIM_API_URL: platform.claimApiUrl,
      CLAIM_API_KEY: await adapterKey(platform),
    });
    const ada = '80351110224678912';

    const deferred = await signed(adapter, commandInteraction(ada, 'start', { lab: 'discord-flow' }));
    expect(deferred.status).toBe(200);
    expect(JSON.parse(deferred.body)).toEqual({ type: 5, data: { flags: 64 } });
    const dm = await message(discord, ada, /Claimed \*\*discord-flow\*\*/);
    expect(dm.content).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(dm.auth).toBe(`Bot ${botToken}`);
    const answer = await message(discord, 'followup', /Claimed \*\*discord-flow\*\*/);
    expect(answer.content).not.toContain('PRIVATE KEY');
    expect(answer.content).toContain('direct messages');
    const claimId = /claim `(c-[a-z0-9-]+)`/.exec(dm.content)![1]!;

    const ready = await message(discord, ada, /is ready, until/);
    expect(buttons(ready)).toEqual([`lab:extend:${claimId}`, `lab:release:${claimId}`]);
    await message(discord, ada, /reachable from outside/);
    await message(discord, ada, /expires in \d+ min/);

    const before = (await api<{ expiresAt: string }>(platform, 'GET', `/v1/claims/${claimId}`)).body.expiresAt;
    expect((await signed(adapter, buttonInteraction(ada, `lab:extend:${claimId}`))).status).toBe(200);
    await message(discord, 'followup', /^Extended: \*\*discord-flow\*\*/);
    await message(discord, ada, /^\*\*discord-flow\*\* now runs until/);
    const after = (await api<{ expiresAt: string }>(platform, 'GET', `/v1/claims/${claimId}`)).body.expiresAt;
    expect(Date.parse(after) - Date.parse(before)).toBe(15 * 60_000);

    expect((await signed(adapter, buttonInteraction(ada, `lab:release:${claimId}`))).status).toBe(200);
    await message(discord, 'followup', /^Released \*\*discord-flow\*\*/);
    await message(discord, ada, /was released: you released it/);

    // The private key went only into the student's DM channel; every 429 was retried after retry_after, and went.
    expect(
      discord
        .messages()
        .filter((m) => m.content.includes('PRIVATE KEY'))
        .map((m) => m.to),
    ).toEqual([ada]);
    const refused = discord.calls.filter((c) => c.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const call of refused) {
      const retry = discord.calls.find(
        (c) => c !== call && c.at >= call.at && c.path === call.path && c.content === call.content,
      );
      expect(retry?.status).toBe(200);
      expect(retry!.at - call.at).toBeGreaterThanOrEqual(1000);
    }
  });
});
