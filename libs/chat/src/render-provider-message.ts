// A ChatMessage in each provider's shape: Slack Block Kit (section + actions blocks, buttons whose action_id names
// the action and whose value is the claim), Discord content plus an action row of buttons (custom_id
// `lab:<action>:<claimId>`). Both keep within the providers' documented size limits.
import type { ChatAction, ChatActionKind, ChatMessage } from './render-chat-message';

const actionLabels: Record<ChatActionKind, string> = { extend: 'Extend', release: 'Release' };
const claimIdPattern = /^c-[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** Slack Block Kit: a section's text holds at most 3000 characters. */
export function renderSlackMessage(message: ChatMessage): SlackMessage {
  const blocks: Record<string, unknown>[] = [section(message.text)];
  if (message.lines.length > 0) blocks.push(section(message.lines.join('\n')));
  if (message.secret) blocks.push(section(`${message.secret.label}\n\`\`\`${message.secret.value.trim()}\`\`\``));
  if (message.actions.length > 0)
    blocks.push({
      type: 'actions',
      elements: message.actions.map((action) => ({
        type: 'button',
        action_id: `lab_${action.kind}`,
        value: action.claimId,
        text: { type: 'plain_text', text: actionLabels[action.kind] },
        ...(action.kind === 'release' ? { style: 'danger' } : { style: 'primary' }),
      })),
    });
  return { text: truncate(message.text, 3000), blocks };
}

export interface DiscordMessage {
  content: string;
  components: { type: 1; components: { type: 2; style: number; label: string; custom_id: string }[] }[];
}

/** Discord: content up to 2000 characters; Slack's `*bold*` becomes `**bold**`. */
export function renderDiscordMessage(message: ChatMessage): DiscordMessage {
  const parts = [boldForDiscord(message.text), ...message.lines.map(boldForDiscord)];
  if (message.secret) parts.push(`${message.secret.label}\n\`\`\`\n${message.secret.value.trim()}\n\`\`\``);
  return {
    content: truncate(parts.join('\n'), 2000),
    components:
      message.actions.length === 0
        ? []
        : [
            {
              type: 1,
              components: message.actions.map((action) => ({
                type: 2,
                style: action.kind === 'release' ? 4 : 1,
                label: actionLabels[action.kind],
                custom_id: `lab:${action.kind}:${action.claimId}`,
              })),
            },
          ],
  };
}

/** A pressed button back as an action: Slack's action_id + value, or Discord's custom_id. Undefined when foreign. */
export function parseSlackAction(actionId: string, value: string | undefined): ChatAction | undefined {
  const kind = actionId === 'lab_extend' ? 'extend' : actionId === 'lab_release' ? 'release' : undefined;
  return kind && value && claimIdPattern.test(value) ? { kind, claimId: value } : undefined;
}

export function parseDiscordAction(customId: string): ChatAction | undefined {
  const [prefix, kind, claimId, ...rest] = customId.split(':');
  if (prefix !== 'lab' || rest.length > 0 || !claimId || !claimIdPattern.test(claimId)) return undefined;
  return kind === 'extend' || kind === 'release' ? { kind, claimId } : undefined;
}

function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } };
}

function boldForDiscord(text: string): string {
  return text.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s.,:;)!?])/g, '$1**$2**');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
