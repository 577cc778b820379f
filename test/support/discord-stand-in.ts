// A local stand-in for Discord at its network edge, for the adapter tests: the REST API routes the adapter calls
// (open a DM channel, post a message, edit an interaction's original answer), recorded, with Discord's rate-limit
// headers and an optional 429 (retry_after, as Discord sends it); and interactions signed with Ed25519 as Discord
// signs them (timestamp + raw body).
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DiscordCall {
  method: string;
  path: string;
  /** The DM channel's recipient for messages, or 'followup' for an edited interaction answer. */
  to: string;
  content: string;
  components: { components: { custom_id: string }[] }[];
  at: number;
  status: number;
  auth: string;
}

export interface DiscordStandIn {
  url: string;
  calls: DiscordCall[];
  messages(to?: string): DiscordCall[];
  throttle(every: number, retryAfterSeconds: number): void;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

export async function startDiscordStandIn(): Promise<DiscordStandIn> {
  const calls: DiscordCall[] = [];
  let throttle: { every: number; retryAfterSeconds: number } | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const path = (req.url ?? '').replace(/^\/api\/v10/, '');

      if (req.method === 'POST' && path === '/users/@me/channels') {
        json(res, 200, { id: `7${String(body.recipient_id)}`, type: 1, recipients: [{ id: body.recipient_id }] });
        return;
      }
      const message = /^\/channels\/7([0-9]+)\/messages$/.exec(path);
      const followup = /^\/webhooks\/[0-9]+\/[^/]+\/messages\/@original$/.test(path);
      if (!message && !followup) {
        json(res, 404, { message: 'Unknown route', code: 0 });
        return;
      }
      const limited = message !== null && throttle !== undefined && (calls.length + 1) % throttle.every === 0;
      calls.push({
        method: req.method ?? '',
        path,
        to: message ? message[1]! : 'followup',
        content: String(body.content ?? ''),
        components: (body.components ?? []) as DiscordCall['components'],
        at: Date.now(),
        status: limited ? 429 : 200,
        auth: req.headers.authorization ?? '',
      });
      const bucket = { 'x-ratelimit-limit': '5', 'x-ratelimit-bucket': 'stand-in-messages' };
      if (limited) {
        const seconds = String(throttle!.retryAfterSeconds);
        json(
          res,
          429,
          { message: 'You are being rate limited.', retry_after: throttle!.retryAfterSeconds, global: false },
          {
            ...bucket,
            'retry-after': seconds,
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': seconds,
            'x-ratelimit-scope': 'user',
          },
        );
        return;
      }
      json(
        res,
        200,
        { id: String(calls.length), content: body.content ?? '' },
        { ...bucket, 'x-ratelimit-remaining': '4', 'x-ratelimit-reset-after': '0.2' },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    calls,
    messages: (to) => calls.filter((c) => c.status === 200 && (!to || c.to === to)),
    throttle: (every, retryAfterSeconds) => (throttle = { every, retryAfterSeconds }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An application key pair: the public key as Discord shows it (64 hex digits), and a signer of interactions. */
export function discordApplicationKeys(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    publicKey: raw.toString('hex'),
    privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })),
  };
}

export function discordSignedHeaders(
  privateKey: KeyObject,
  body: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
) {
  return {
    'content-type': 'application/json',
    'x-signature-timestamp': timestamp,
    'x-signature-ed25519': sign(null, Buffer.from(timestamp + body), privateKey).toString('hex'),
  };
}

let interactions = 0;
export function commandInteraction(userId: string, sub: string, options: Record<string, string> = {}): string {
  interactions++;
  return JSON.stringify({
    id: `11${Date.now()}${interactions}`,
    application_id: '123456789012345678',
    type: 2,
    token: `interaction-token-${interactions}`,
    version: 1,
    guild_id: '223456789012345678',
    channel_id: '323456789012345678',
    member: { user: { id: userId, username: `student${userId.slice(-3)}` } },
    data: {
      id: '423456789012345678',
      name: 'lab',
      type: 1,
      options: [
        { type: 1, name: sub, options: Object.entries(options).map(([name, value]) => ({ type: 3, name, value })) },
      ],
    },
  });
}

export function buttonInteraction(userId: string, customId: string): string {
  interactions++;
  return JSON.stringify({
    id: `12${Date.now()}${interactions}`,
    application_id: '123456789012345678',
    type: 3,
    token: `interaction-token-${interactions}`,
    version: 1,
    channel_id: '7' + userId,
    user: { id: userId, username: `student${userId.slice(-3)}` },
    message: { id: '523456789012345678' },
    data: { custom_id: customId, component_type: 2 },
  });
}
