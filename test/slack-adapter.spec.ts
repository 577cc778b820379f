// The Slack adapter driven the way Slack drives it: signed slash commands and button presses against its endpoints,
// and Slack's Web API played by a local stand-in at the network edge (the only mock) whose recorded calls are
// asserted. The platform behind it is the real one: claim API, pool manager, provisioner, enforcer on the lanes.
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { waitFor } from '@kubelabs/testing';
import type { RunningPlatform } from '../simulator/src/run-platform';
import { startServiceProcess, type ServiceProcess } from './support/service-process';
import { api, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';
import {
  blockActionBody,
  slackSignedHeaders,
  slashCommandBody,
  startSlackStandIn,
  type SlackCall,
  type SlackStandIn,
} from './support/slack-stand-in';

const secret = 'slackSigningSecret0123456789abcd';
const team = 'T0KUBELABS';
const platforms = usePlatform();

async function startAdapter(
  slack: SlackStandIn,
  env: { NATS_URL: string; NATS_SUBJECT_PREFIX: string; CLAIM_API_URL: string; CLAIM_API_KEY: string } & Record<
    string,
    string
  >,
): Promise<ServiceProcess> {
  const adapter = await startServiceProcess('slack-adapter', {
    SLACK_SIGNING_SECRET: secret,
    SLACK_BOT_TOKEN: 'xoxb-1234-5678-testtoken',
    SLACK_API_URL: slack.url,
    LOG_LEVEL: 'warn',
    ...env,
  });
  onTestFinished(() => adapter.stop('SIGTERM', 10_000).then(() => undefined));
  return adapter;
}

/** The adapter's own claim-scoped key, made with the platform's admin key as an operator would. */
async function adapterKey(platform: RunningPlatform): Promise<string> {
  const created = await api<{ key: string }>(platform, 'POST', '/v1/api-keys', {
    name: 'slack-adapter',
    scopes: ['claim'],
  });
  expect(created.status).toBe(201);
  return created.body.key;
}

async function post(adapter: ServiceProcess, path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${adapter.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const command = (adapter: ServiceProcess, user: string, text: string) => {
  const body = slashCommandBody(team, user, text);
  return post(adapter, '/slack/commands', body, slackSignedHeaders(secret, body));
};
const press = (adapter: ServiceProcess, user: string, actionId: string, claimId: string) => {
  const body = blockActionBody(team, user, actionId, claimId);
  return post(adapter, '/slack/interactions', body, slackSignedHeaders(secret, body));
};

async function message(slack: SlackStandIn, channel: string, text: RegExp): Promise<SlackCall> {
  let found: SlackCall | undefined;
  await waitFor(
    `a Slack message to ${channel} matching ${text}`,
    async () => (found = slack.messages(channel).find((m) => text.test(m.text))) !== undefined,
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return found!;
}

const buttons = (call: SlackCall) =>
  call.blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements as { action_id: string; value: string }[]).map((e) => `${e.action_id}:${e.value}`));

describe('slack adapter', () => {
  it('answers 1,000 forged, stale, future, tampered and replayed requests with 401 and acts on none', async () => {
    const slack = await startSlackStandIn();
    onTestFinished(() => slack.close());
    const lanes = inject('lanes');
    const adapter = await startAdapter(slack, {
      NATS_URL: lanes.natsUrl,
      NATS_SUBJECT_PREFIX: `slackprobe${process.pid}`,
      CLAIM_API_URL: 'http://127.0.0.1:9',
      CLAIM_API_KEY: 'kl_unused_key_for_probes',
    });
    const valid = slashCommandBody(team, 'U0PROBE', 'help');
    const validHeaders = slackSignedHeaders(secret, valid);
    expect((await post(adapter, '/slack/commands', valid, validHeaders)).status).toBe(200);

    const now = () => Math.floor(Date.now() / 1000);
    const probes: (() => { path: string; body: string; headers: Record<string, string> })[] = [
      () => ({ path: '/slack/commands', body: valid, headers: validHeaders }), // a replay
      () => ({
        path: '/slack/commands',
        body: valid,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      () => ({ path: '/slack/commands', body: valid, headers: slackSignedHeaders('another-secret-0123456789', valid) }),
      () => ({ path: '/slack/commands', body: valid, headers: slackSignedHeaders(secret, valid, now() - 360) }),
      () => ({ path: '/slack/commands', body: valid, headers: slackSignedHeaders(secret, valid, now() + 360) }),
      () => ({ path: '/slack/commands', body: `${valid}&text=stop`, headers: validHeaders }),
      () => {
        const body = blockActionBody(team, 'U0PROBE', 'lab_release', 'c-0123456789abcdef');
        return { path: '/slack/interactions', body, headers: slackSignedHeaders('wrong-secret-0123456789', body) };
      },
    ];
    const statuses = new Map<string, number>();
    for (let i = 0; i < 1000; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) => {
          const probe = probes[(i + j) % probes.length]!();
          return post(adapter, probe.path, probe.body, probe.headers);
        }),
      );
      for (const answer of batch) {
        const seen = `${answer.status} ${answer.type.split(';')[0]}`;
        statuses.set(seen, (statuses.get(seen) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(statuses)).toEqual({ '401 application/problem+json': 1000 });
    // Only the one valid request was answered (its usage, by direct message).
    await message(slack, 'U0PROBE', /Kubernetes labs on demand/);
    expect(slack.calls).toHaveLength(1);
    expect(slack.calls[0]).toMatchObject({
      method: 'chat.postMessage',
      channel: 'U0PROBE',
      token: 'xoxb-1234-5678-testtoken',
    });
  });

  it('runs a lab from /lab start to release: key by DM, progress, access, expiry warning, Extend and Release buttons', async () => {
    const slack = await startSlackStandIn();
    onTestFinished(() => slack.close());
    const platform = await platforms.start({
      // 5 minutes with a 10-minute notice: the expiry warning comes as soon as the claim is active.
      labs: [testLab('slack-flow', { minReady: 1, maxTotal: 2, durationMinutes: 5 })],
      simulator: { bootMs: 4000 },
      serviceEnv: {
        'pool-manager': { EXPIRING_NOTICE_MINUTES: '10' },
        'netpol-enforcer': { EXPOSURE_PUBLIC_HOST: 'labs.example.org' },
      },
    });
    await waitForPoolsFull(platform);
    const adapter = await startAdapter(slack, {
      NATS_URL: platform.env.NATS_URL!,
      NATS_SUBJECT_PREFIX: platform.instance,
      CLAIM_API_URL: platform.claimApiUrl,
      CLAIM_API_KEY: await adapterKey(platform),
    });

    const list = await command(adapter, 'U0ADA', 'list');
    expect(list).toMatchObject({ status: 200 });
    expect(JSON.parse(list.body)).toMatchObject({ response_type: 'ephemeral' });
    expect((await message(slack, 'U0ADA', /1 lab to start/)).blocks.map((b) => JSON.stringify(b)).join()).toContain(
      'slack-flow',
    );

    // Ada takes the ready tenant; her private key comes by direct message, in that message only.
    expect((await command(adapter, 'U0ADA', 'start slack-flow')).status).toBe(200);
    const started = await message(slack, 'U0ADA', /Claimed \*slack-flow\*/);
    expect(JSON.stringify(started.blocks)).toContain('BEGIN OPENSSH PRIVATE KEY');
    const claimId = /claim `(c-[a-z0-9-]+)`/.exec(JSON.stringify(started.blocks))![1]!;
    const ready = await message(slack, 'U0ADA', /is ready, until/);
    expect(buttons(ready)).toEqual([`lab_extend:${claimId}`, `lab_release:${claimId}`]);

    // Grace arrives while no tenant is free: she is queued and hears how her cluster is being built.
    expect((await command(adapter, 'U0GRACE', 'start slack-flow')).status).toBe(200);
    await message(slack, 'U0GRACE', /number 1 in the queue/);
    await message(slack, 'U0GRACE', /cluster is being built: step \d of 7/);
    await message(slack, 'U0GRACE', /is ready, until/);

    const reachable = await message(slack, 'U0ADA', /reachable from outside/);
    expect(JSON.stringify(reachable.blocks)).toMatch(/ssh -p \d+ \w+@labs\.example\.org/);
    const warning = await message(slack, 'U0ADA', /expires in \d+ min/);
    expect(buttons(warning)).toContain(`lab_extend:${claimId}`);

    // Another student cannot press Ada's buttons.
    expect((await press(adapter, 'U0GRACE', 'lab_release', claimId)).status).toBe(200);
    await message(slack, 'U0GRACE', /not yours/);

    const before = (await api<{ expiresAt: string }>(platform, 'GET', `/v1/claims/${claimId}`)).body.expiresAt;
    expect((await press(adapter, 'U0ADA', 'lab_extend', claimId)).status).toBe(200);
    // The answer to the button, and the claim.extended fact.
    await message(slack, 'U0ADA', /^Extended: \*slack-flow\* now runs until/);
    await message(slack, 'U0ADA', /^\*slack-flow\* now runs until/);
    const after = (await api<{ expiresAt: string }>(platform, 'GET', `/v1/claims/${claimId}`)).body.expiresAt;
    expect(Date.parse(after) - Date.parse(before)).toBe(15 * 60_000);

    expect((await press(adapter, 'U0ADA', 'lab_release', claimId)).status).toBe(200);
    await message(slack, 'U0ADA', /^Released \*slack-flow\*/);
    await message(slack, 'U0ADA', /was released: you released it/);
    expect((await api(platform, 'GET', `/v1/claims/${claimId}`)).body).toMatchObject({ state: 'released' });

    // Every message went to the student's own DM; the private key only in the one answer to /lab start.
    expect(slack.messages().every((m) => m.channel === 'U0ADA' || m.channel === 'U0GRACE')).toBe(true);
    const withKey = slack.messages().filter((m) => JSON.stringify(m.blocks).includes('PRIVATE KEY'));
    expect(withKey.map((m) => m.channel)).toEqual(['U0ADA', 'U0GRACE']);
    // Each fact was told once.
    expect(slack.messages('U0ADA').filter((m) => /is ready, until/.test(m.text))).toHaveLength(1);
  });
});
