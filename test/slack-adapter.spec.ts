// The Slack adapter driven the way Slack drives it: signed slash commands and button presses against its endpoints,
// and Slack's Web API played by a local stand-in at the network edge (the only mock) whose recorded calls are
// asserted. The platform behind it is the real one: claim API, pool manager, provisioner, enforcer on the lanes.
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sentKeysBucket } from '@kubelabs/chat';
import { eventsStreamName } from '@kubelabs/runtime';
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
const now = () => Math.floor(Date.now() / 1000);

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

/** The adapter's durable consumer once it has handled everything stored (through `ackedThrough`, a stream sequence). */
async function caughtUp(jsm: JetStreamManager, stream: string, ackedThrough = 0): Promise<ConsumerInfo> {
  let info: ConsumerInfo | undefined;
  await waitFor(
    `the slack-adapter consumer to ack every event through stream sequence ${ackedThrough}`,
    async () => {
      info = await jsm.consumers.info(stream, 'slack-adapter');
      return info.num_pending === 0 && info.num_ack_pending === 0 && info.ack_floor.stream_seq >= ackedThrough;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return info!;
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
    // Slack's retry of the same invocation (signed anew, X-Slack-Retry-Num) is acknowledged and not worked again.
    const retry = await post(adapter, '/slack/commands', valid, {
      ...slackSignedHeaders(secret, valid, now() - 1),
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(retry).toMatchObject({ status: 200, body: '' });

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

  it('sends no message twice when a restarted adapter is handed every event again', async () => {
    const slack = await startSlackStandIn();
    onTestFinished(() => slack.close());
    const platform = await platforms.start({
      labs: [testLab('slack-replay', { minReady: 1, maxTotal: 1 })],
      simulator: { bootMs: 200 },
    });
    await waitForPoolsFull(platform);
    const nc = await connect({ servers: platform.env.NATS_URL!, name: 'slack-replay-spec' });
    const jsm = await jetstreamManager(nc);
    onTestFinished(async () => {
      await jsm.streams.delete(`KV_${sentKeysBucket('slack', platform.instance)}`).catch(() => false);
      await nc.close();
    });
    const stream = eventsStreamName(platform.instance);
    const env = {
      NATS_URL: platform.env.NATS_URL!,
      NATS_SUBJECT_PREFIX: platform.instance,
      CLAIM_API_URL: platform.claimApiUrl,
      CLAIM_API_KEY: await adapterKey(platform),
    };

    // Two facts told by direct message: the claim (tenant.claimed) and its extension (claim.extended).
    const first = await startAdapter(slack, env);
    expect((await command(first, 'U0ADA', 'start slack-replay')).status).toBe(200);
    const claimId = buttons(await message(slack, 'U0ADA', /is ready, until/))[0]!.split(':')[1]!;
    expect((await press(first, 'U0ADA', 'lab_extend', claimId)).status).toBe(200);
    await message(slack, 'U0ADA', /^\*slack-replay\* now runs until/);
    const handled = await caughtUp(jsm, stream);
    const told = slack.messages().map((m) => `${m.channel} ${m.text}`);
    await first.stop('SIGTERM', 10_000);

    // The consumer is gone when the next adapter starts, so it is declared anew and JetStream delivers every stored
    // event again: the redelivery an adapter gets when it died after sending and before its ack, for all of them.
    await jsm.consumers.delete(stream, 'slack-adapter');
    const second = await startAdapter(slack, env);
    const replayed = await caughtUp(jsm, stream, handled.ack_floor.stream_seq);
    expect(replayed.delivered.consumer_seq).toBeGreaterThanOrEqual(2);
    const toldSoFar = slack.messages().map((m) => `${m.channel} ${m.text}`);
    for (const line of told)
      expect(
        toldSoFar.filter((m) => m === line),
        line,
      ).toHaveLength(1);

    // The restarted adapter still tells what is new.
    expect((await press(second, 'U0ADA', 'lab_release', claimId)).status).toBe(200);
    await message(slack, 'U0ADA', /was released: you released it/);
    await caughtUp(jsm, stream);
    for (const fact of [/is ready, until/, /^\*slack-replay\* now runs until/, /was released: you released it/])
      expect(
        slack.messages('U0ADA').filter((m) => fact.test(m.text)),
        String(fact),
      ).toHaveLength(1);
  });

  it('answers a burst of 200 /lab start commands: no message lost, none faster than the limit, 429s retried after Retry-After', async () => {
    const slack = await startSlackStandIn();
    onTestFinished(() => slack.close());
    slack.throttle(25, 1); // every 25th call: 429 with Retry-After: 1
    // 20 tenants serve the first 20 students; the other 180 are queued. Each gets an answer with their key.
    const platform = await platforms.start({
      labs: [testLab('slack-burst', { minReady: 20, maxTotal: 20 })],
      simulator: { bootMs: 200 },
    });
    await waitForPoolsFull(platform, 120_000);
    const perMinute = 3000;
    const adapter = await startAdapter(slack, {
      NATS_URL: platform.env.NATS_URL!,
      NATS_SUBJECT_PREFIX: platform.instance,
      CLAIM_API_URL: platform.claimApiUrl,
      CLAIM_API_KEY: await adapterKey(platform),
      CHAT_MESSAGES_PER_MINUTE: String(perMinute),
      CHAT_MESSAGES_PER_CHANNEL_PER_SECOND: '1',
    });
    const users = Array.from({ length: 200 }, (_, i) => `U0BURST${String(i).padStart(3, '0')}`);
    const started = Date.now();
    const acks = await Promise.all(users.map((user) => command(adapter, user, 'start slack-burst')));
    expect(acks.every((ack) => ack.status === 200)).toBe(true);

    const answered = (user: string) => slack.messages(user).filter((m) => /^(Claimed|No \*slack-burst\*)/.test(m.text));
    await waitFor('an answer to every student', async () => users.every((user) => answered(user).length > 0), {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    await waitFor(
      'a ready message to every student who got a tenant',
      async () =>
        users.filter((user) => slack.messages(user).some((m) => /is ready, until/.test(m.text))).length === 20,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const seconds = (Date.now() - started) / 1000;

    // No message lost or doubled: one answer each, with the student's own key; 20 active, 180 queued.
    expect(users.map((user) => answered(user).length)).toEqual(users.map(() => 1));
    expect(users.every((user) => JSON.stringify(answered(user)[0]!.blocks).includes('PRIVATE KEY'))).toBe(true);
    expect(users.filter((user) => answered(user)[0]!.text.startsWith('Claimed'))).toHaveLength(20);

    // Never faster than the limit, as Slack would count on arrival: at most 50 calls in any second, one per second
    // into any conversation.
    const calls = slack.calls.filter((c) => c.method === 'chat.postMessage');
    const times = calls.map((c) => c.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(perMinute / 60);
    for (const user of users) {
      const mine = calls.filter((c) => c.channel === user).map((c) => c.at);
      for (let i = 1; i < mine.length; i++) expect(mine[i]! - mine[i - 1]!).toBeGreaterThanOrEqual(1000);
    }
    // Each refused call came back only after Retry-After, and then went through.
    const refused = calls.filter((c) => c.status === 429);
    expect(refused.length).toBeGreaterThan(5);
    for (const call of refused) {
      const retry = calls.find(
        (c) => c.at >= call.at && c !== call && c.channel === call.channel && c.text === call.text,
      );
      expect(retry, `the retry of a refused message to ${call.channel}`).toBeDefined();
      expect(retry!.at - call.at).toBeGreaterThanOrEqual(1000);
    }
    console.log(
      `[figures] slack burst: 200 commands, ${calls.length} calls (${refused.length} answered 429) in ${seconds.toFixed(1)} s; ` +
        `busiest second ${busiest} calls (limit ${perMinute / 60}/s)`,
    );
  }, 240_000);
});
