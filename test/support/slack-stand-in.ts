// A local stand-in for Slack at its network edge, for the adapter tests: its Web API (`/api/chat.postMessage`, as
// @slack/web-api posts it: form-encoded, blocks as JSON) records every call and can answer 429 with Retry-After; and
// the signed requests Slack sends an app (slash command, block action), built as Slack documents them.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  channel: string;
  text: string;
  blocks: Record<string, unknown>[];
  at: number;
  status: number;
  /** Bearer token the call carried. */
  token: string;
}

export interface SlackStandIn {
  url: string;
  calls: SlackCall[];
  /** Accepted chat.postMessage calls (not the 429s). */
  messages(channel?: string): SlackCall[];
  /** Answer 429 with `Retry-After: retryAfterSeconds` to every `every`-th call. */
  throttle(every: number, retryAfterSeconds: number): void;
  close(): Promise<void>;
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
  const calls: SlackCall[] = [];
  let throttle: { every: number; retryAfterSeconds: number } | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const fields: Record<string, unknown> = (req.headers['content-type'] ?? '').includes('application/json')
        ? (JSON.parse(raw || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
      const blocks = typeof fields.blocks === 'string' ? JSON.parse(fields.blocks) : (fields.blocks ?? []);
      const limited = throttle !== undefined && (calls.length + 1) % throttle.every === 0;
      const call: SlackCall = {
        method,
        channel: String(fields.channel ?? ''),
        text: String(fields.text ?? ''),
        blocks: blocks as Record<string, unknown>[],
        at: Date.now(),
        status: limited ? 429 : 200,
        token: (req.headers.authorization ?? '').replace(/^Bearer /, ''),
      };
      calls.push(call);
      if (limited) {
        res.writeHead(429, { 'retry-after': String(throttle!.retryAfterSeconds), 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, channel: call.channel, ts: `${Date.now() / 1000}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    messages: (channel) =>
      calls.filter((c) => c.status === 200 && c.method === 'chat.postMessage' && (!channel || c.channel === channel)),
    throttle: (every, retryAfterSeconds) => (throttle = { every, retryAfterSeconds }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Slack's request signing: `v0=` + HMAC-SHA256(secret, `v0:<timestamp>:<body>`) in X-Slack-Signature. */
export function slackSignedHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature,
  };
}

let triggers = 0;
export function triggerId(): string {
  triggers++;
  return `${Date.now()}.${triggers}.${Math.random().toString(16).slice(2, 12)}`;
}

/** The form Slack POSTs for `/lab <text>`. */
export function slashCommandBody(team: string, user: string, text: string, trigger = triggerId()): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: team,
    team_domain: 'kubelabs-test',
    channel_id: 'C2147483705',
    channel_name: 'labs',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/lab',
    text,
    api_app_id: 'A123456',
    response_url: 'https://hooks.slack.com/commands/1234/5678',
    trigger_id: trigger,
  }).toString();
}

/** The form Slack POSTs when a button of a message is pressed (`block_actions`). */
export function blockActionBody(team: string, user: string, actionId: string, value: string): string {
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: team },
    team: { id: team, domain: 'kubelabs-test' },
    api_app_id: 'A123456',
    container: { type: 'message', message_ts: '1548261231.000200', channel_id: 'D123', is_ephemeral: false },
    trigger_id: triggerId(),
    channel: { id: 'D123', name: 'directmessage' },
    response_url: 'https://hooks.slack.com/actions/T1/1/x',
    actions: [{ action_id: actionId, block_id: 'b1', value, type: 'button', action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
