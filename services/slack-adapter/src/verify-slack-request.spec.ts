// Slack's request signing as its documentation specifies it: a valid request passes once; a forged, stale, future or
// replayed one is refused.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeenKeys } from '@kubelabs/chat';
import { checkSlackRequest } from './verify-slack-request';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_765_000_000_000;
const body = 'token=x&team_id=T1&user_id=U1&command=%2Flab&text=list&trigger_id=1.2.3';

function sign(timestamp: number, text = body, key = secret): Record<string, string> {
  const digest = createHmac('sha256', key).update(`v0:${timestamp}:${text}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestamp) };
}

describe('checkSlackRequest', () => {
  it.each([
    { name: 'a request signed now', headers: sign(now / 1000), code: undefined },
    { name: 'a request signed 4 minutes ago', headers: sign(now / 1000 - 240), code: undefined },
    { name: 'a request signed 6 minutes ago', headers: sign(now / 1000 - 360), code: 'slack.signature_invalid' },
    { name: 'a request signed 6 minutes ahead', headers: sign(now / 1000 + 360), code: 'slack.signature_invalid' },
    {
      name: 'a request signed with another secret',
      headers: sign(now / 1000, body, 'another'),
      code: 'slack.signature_invalid',
    },
    {
      name: 'a request whose body was changed',
      headers: sign(now / 1000, `${body}x`),
      code: 'slack.signature_invalid',
    },
    { name: 'a request without a signature', headers: {}, code: 'slack.signature_invalid' },
    {
      name: 'a request with a v1 signature',
      headers: {
        ...sign(now / 1000),
        'x-slack-signature': sign(now / 1000)['x-slack-signature']!.replace('v0=', 'v1='),
      },
      code: 'slack.signature_invalid',
    },
  ])('$name: $code', ({ headers, code }) => {
    const verdict = checkSlackRequest(secret, headers, body, now, new SeenKeys(600_000));
    expect(verdict.ok ? undefined : verdict.code).toBe(code);
  });

  it('refuses the same signed request a second time', () => {
    const seen = new SeenKeys(600_000);
    const headers = sign(now / 1000);
    expect(checkSlackRequest(secret, headers, body, now, seen)).toEqual({ ok: true });
    expect(checkSlackRequest(secret, headers, body, now + 1000, seen)).toMatchObject({
      ok: false,
      code: 'slack.replayed',
    });
  });
});
