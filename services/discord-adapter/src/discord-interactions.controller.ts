// Discord's interactions endpoint: every request is verified with the application's Ed25519 public key
// (discord-interactions' verifyKey, awaited: it is async, and an unawaited promise would accept everything), PING is
// answered PONG, and a command or button press gets a deferred answer (type 5, only the student sees it) at once,
// then the real answer as a follow-up. Anything with a private key also goes by direct message, never into a channel.
import {
  Controller,
  HttpCode,
  Injectable,
  Logger,
  Post,
  Req,
  Res,
  type BeforeApplicationShutdown,
  type RawBodyRequest,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InteractionResponseFlags, InteractionResponseType, InteractionType, verifyKey } from 'discord-interactions';
import {
  ClaimApiClient,
  labCommandFromOptions,
  parseDiscordAction,
  renderChatUserId,
  runChatAction,
  runLabCommand,
  SeenKeys,
  type ChatMessage,
} from '@kubelabs/chat';
import { Metrics } from '@kubelabs/runtime';
import { DiscordAdapterConfig } from './config';
import { DiscordSender } from './discord-sender';

const windowSeconds = 5 * 60;

interface Interaction {
  id?: string;
  type?: number;
  token?: string;
  data?: {
    name?: string;
    custom_id?: string;
    options?: { name?: string; type?: number; value?: unknown; options?: { name?: string; value?: unknown }[] }[];
  };
  member?: { user?: { id?: string } };
  user?: { id?: string };
}

/** Work after the deferred answer; awaited on shutdown. */
@Injectable()
export class DeferredAnswers implements BeforeApplicationShutdown {
  private readonly logger = new Logger('DeferredAnswers');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly sender: DiscordSender) {}

  run(userId: string, token: string, work: () => Promise<ChatMessage>): void {
    const done: Promise<void> = work()
      .then(async (message) => {
        if (message.secret) {
          await this.sender.sendDirect(userId, message);
          const { secret: _secret, ...rest } = message;
          await this.sender.answer(token, {
            ...rest,
            lines: [...rest.lines, 'Your SSH private key is in your direct messages.'],
          });
        } else await this.sender.answer(token, message);
      })
      .catch((error: unknown) => this.logger.warn({ error: (error as Error).message }, 'a Discord interaction failed'))
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }
}

@Controller('discord')
export class DiscordInteractionsController {
  private readonly seen = new SeenKeys(30 * 60_000);
  private readonly refused: () => void;

  constructor(
    private readonly config: DiscordAdapterConfig,
    private readonly api: ClaimApiClient,
    private readonly answers: DeferredAnswers,
    metrics: Metrics,
  ) {
    const counter = metrics.counter('kubelabs_chat_requests_refused_total', 'Discord requests refused, by code', [
      'code',
    ]);
    this.refused = () => counter.inc({ code: 'discord.signature_invalid' });
  }

  @Post('interactions')
  @HttpCode(200)
  async interaction(@Req() req: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): Promise<void> {
    const raw = req.rawBody ?? Buffer.alloc(0);
    const signature = header(req, 'x-signature-ed25519');
    const timestamp = header(req, 'x-signature-timestamp');
    const fresh = /^[0-9]{1,12}$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= windowSeconds;
    const valid =
      fresh &&
      /^[0-9a-f]{128}$/.test(signature) &&
      (await verifyKey(raw, signature, timestamp, this.config.DISCORD_PUBLIC_KEY));
    if (!valid) {
      this.refused();
      void reply.code(401).type('application/problem+json').send({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        code: 'discord.signature_invalid',
        detail: 'the request signature or timestamp is invalid',
      });
      return;
    }
    const interaction = parseJson(raw.toString('utf8'));
    if (interaction.type === InteractionType.PING) {
      void reply.send({ type: InteractionResponseType.PONG });
      return;
    }
    const userId = interaction.member?.user?.id ?? interaction.user?.id;
    const token = interaction.token;
    if (!userId || !/^[0-9]{1,20}$/.test(userId) || !token || !interaction.id) {
      void reply.code(400).type('application/problem+json').send({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        code: 'discord.interaction_invalid',
        detail: 'the interaction lacks a user, id or token',
      });
      return;
    }
    void reply.send({
      type: InteractionResponseType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
      data: { flags: InteractionResponseFlags.EPHEMERAL },
    });
    if (!this.seen.firstTime(interaction.id)) return;
    const chatUserId = renderChatUserId({ provider: 'discord', user: userId });
    if (interaction.type === InteractionType.APPLICATION_COMMAND) {
      const sub = interaction.data?.options?.[0];
      const options = Object.fromEntries(
        (sub?.options ?? []).map((o) => [o.name ?? '', typeof o.value === 'string' ? o.value : undefined]),
      );
      const command = labCommandFromOptions(sub?.name ?? 'help', options);
      this.answers.run(userId, token, () =>
        runLabCommand(command, { userId: chatUserId, invocationId: `discord:${interaction.id}` }, this.api),
      );
    } else if (interaction.type === InteractionType.MESSAGE_COMPONENT) {
      const action = parseDiscordAction(interaction.data?.custom_id ?? '');
      this.answers.run(userId, token, async () =>
        action
          ? runChatAction(action, chatUserId, this.api)
          : { text: 'That button is not one of this app.', lines: [], actions: [] },
      );
    }
  }
}

function header(req: FastifyRequest, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function parseJson(text: string): Interaction {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Interaction) : {};
  } catch {
    return {};
  }
}
