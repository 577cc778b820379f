// Messages in each provider's shape, and buttons read back: only well-formed actions on claim ids are accepted.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './render-chat-message';
import {
  parseDiscordAction,
  parseSlackAction,
  renderDiscordMessage,
  renderSlackMessage,
} from './render-provider-message';

const message: ChatMessage = {
  text: 'Your lab *sandbox* expires in 5 min.',
  lines: ['SSH: `ssh -p 30022 student@labs.example.org`'],
  secret: { label: 'Key:', value: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n' },
  actions: [
    { kind: 'extend', claimId: 'c-1234' },
    { kind: 'release', claimId: 'c-1234' },
  ],
};

describe('renderSlackMessage', () => {
  it('puts text, lines and the key in sections and the actions in buttons carrying the claim', () => {
    const slack = renderSlackMessage(message);
    expect(slack.text).toBe(message.text);
    expect(slack.blocks).toHaveLength(4);
    expect(JSON.stringify(slack.blocks[2])).toContain('```-----BEGIN OPENSSH PRIVATE KEY-----');
    expect(slack.blocks[3]).toMatchObject({
      type: 'actions',
      elements: [
        { action_id: 'lab_extend', value: 'c-1234', style: 'primary' },
        { action_id: 'lab_release', value: 'c-1234', style: 'danger' },
      ],
    });
  });
});

describe('renderDiscordMessage', () => {
  it('turns Slack bold into Discord bold and buttons into an action row', () => {
    const discord = renderDiscordMessage(message);
    expect(discord.content).toMatch(/^Your lab \*\*sandbox\*\* expires/);
    expect(discord.content).toContain('```\n-----BEGIN OPENSSH PRIVATE KEY-----');
    expect(discord.components[0]!.components.map((b) => b.custom_id)).toEqual([
      'lab:extend:c-1234',
      'lab:release:c-1234',
    ]);
  });

  it('keeps within 2000 characters', () => {
    expect(renderDiscordMessage({ ...message, lines: ['x'.repeat(5000)] }).content).toHaveLength(2000);
  });
});

describe('button actions', () => {
  it.each([
    { id: 'lab_extend', value: 'c-1234', action: { kind: 'extend', claimId: 'c-1234' } },
    { id: 'lab_release', value: 'c-1234', action: { kind: 'release', claimId: 'c-1234' } },
    { id: 'lab_delete', value: 'c-1234', action: undefined },
    { id: 'lab_extend', value: '../etc', action: undefined },
    { id: 'lab_extend', value: undefined, action: undefined },
  ])('Slack $id $value', ({ id, value, action }) => {
    expect(parseSlackAction(id, value)).toEqual(action);
  });

  it.each([
    { customId: 'lab:extend:c-1234', action: { kind: 'extend', claimId: 'c-1234' } },
    { customId: 'lab:release:c-1234', action: { kind: 'release', claimId: 'c-1234' } },
    { customId: 'lab:extend:c-1234:x', action: undefined },
    { customId: 'other:extend:c-1234', action: undefined },
    { customId: 'lab:stop:c-1234', action: undefined },
  ])('Discord $customId', ({ customId, action }) => {
    expect(parseDiscordAction(customId)).toEqual(action);
  });
});
