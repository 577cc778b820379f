// Slack's requests to the app: the `/lab` slash command and button presses (Extend, Release). Each is verified
// (checkSlackRequest), acknowledged at once (Slack gives up after 3 seconds and retries with X-Slack-Retry-Num), and
// worked on afterwards; a retry or a second delivery of one invocation (same trigger_id) is acknowledged and dropped.
// Answers go to the student by direct message, so the private key of a new lab never lands in a channel.
import { Controller, HttpCode, Post, Req, Res, type RawBodyRequest } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ClaimApiClient,
  isValidChatIdentity,
  parseLabCommand,
  parseSlackAction,
  renderChatUserId,
  runChatAction,
  runLabCommand,
  SeenKeys,
  type ChatIdentity,
} from '@kubelabs/chat';
import { Metrics } from '@kubelabs/runtime';
import { SlackAdapterConfig } from './config';
import { DeferredReplies } from './deferred-replies';
import { checkSlackRequest, slackWindowSeconds } from './verify-slack-request';

type SlackIdentity = Extract<ChatIdentity, { provider: 'slack' }>;

@Controller('slack')
export class SlackRequestsController {
  private readonly acceptedSignatures = new SeenKeys(2 * slackWindowSeconds * 1000);
  private readonly invocations = new SeenKeys(30 * 60_000);
  private readonly refused: (code: string) => void;

  constructor(
    private readonly config: SlackAdapterConfig,
    private readonly api: ClaimApiClient,
    private readonly replies: DeferredReplies,
    metrics: Metrics,
  ) {
    const counter = metrics.counter('kubelabs_chat_requests_refused_total', 'Slack requests refused, by code', [
      'code',
    ]);
    this.refused = (code) => counter.inc({ code });
  }

  @Post('commands')
  @HttpCode(200)
  command(@Req() req: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): void {
    const form = this.verified(req, reply);
    if (!form) return;
    const identity = identityOf(form.get('team_id'), form.get('user_id'));
    const trigger = form.get('trigger_id') ?? '';
    if (!identity || !/^[A-Za-z0-9._-]{1,100}$/.test(trigger)) {
      void reply.code(200).send({ response_type: 'ephemeral', text: 'This request lacks a team, user or trigger id.' });
      return;
    }
    if (!this.invocations.firstTime(`command:${trigger}`)) {
      void reply.code(200).send();
      return;
    }
    const command = parseLabCommand(form.get('text') ?? '');
    void reply.code(200).send({ response_type: 'ephemeral', text: 'On it: the answer comes as a direct message.' });
    this.replies.run(identity.user, () =>
      runLabCommand(command, { userId: renderChatUserId(identity), invocationId: `slack:${trigger}` }, this.api),
    );
  }

  @Post('interactions')
  @HttpCode(200)
  interaction(@Req() req: RawBodyRequest<FastifyRequest>, @Res() reply: FastifyReply): void {
    const form = this.verified(req, reply);
    if (!form) return;
    const payload = parseJson(form.get('payload'));
    const user = payload?.user as { id?: string; team_id?: string } | undefined;
    const team = payload?.team as { id?: string } | undefined;
    const identity = identityOf(team?.id ?? user?.team_id, user?.id);
    const actions = Array.isArray(payload?.actions)
      ? (payload.actions as { action_id?: string; value?: string }[])
      : [];
    const first = actions[0];
    const action = first?.action_id ? parseSlackAction(first.action_id, first.value) : undefined;
    const trigger = typeof payload?.trigger_id === 'string' ? payload.trigger_id : '';
    void reply.code(200).send();
    if (payload?.type !== 'block_actions' || !identity || !action || !trigger) return;
    if (!this.invocations.firstTime(`action:${trigger}`)) return;
    this.replies.run(identity.user, () => runChatAction(action, renderChatUserId(identity), this.api));
  }

  /** The request's form fields when it is Slack's, signed and new; otherwise answers 401 and returns undefined. */
  private verified(req: RawBodyRequest<FastifyRequest>, reply: FastifyReply): URLSearchParams | undefined {
    const raw = req.rawBody?.toString('utf8') ?? '';
    const verdict = checkSlackRequest(
      this.config.SLACK_SIGNING_SECRET,
      req.headers,
      raw,
      Date.now(),
      this.acceptedSignatures,
    );
    if (!verdict.ok) {
      this.refused(verdict.code);
      void reply
        .code(401)
        .type('application/problem+json')
        .send({ type: 'about:blank', title: 'Unauthorized', status: 401, code: verdict.code, detail: verdict.detail });
      return undefined;
    }
    return new URLSearchParams(raw);
  }
}

function identityOf(team: string | null | undefined, user: string | null | undefined): SlackIdentity | undefined {
  if (!team || !user) return undefined;
  const identity: SlackIdentity = { provider: 'slack', team, user };
  return isValidChatIdentity(identity) ? identity : undefined;
}

function parseJson(text: string | null): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
