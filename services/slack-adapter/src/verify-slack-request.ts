// Is this request from Slack? Slack's v0 signature (HMAC-SHA256 over `v0:<timestamp>:<raw body>`) checked by Bolt's
// own verifier, plus what it leaves out: a timestamp from the future is as stale as one from the past (5 minutes
// either way), and a signature already accepted is a replay (a real Slack retry is signed anew).
import { verifySlackRequest } from '@slack/bolt';
import type { SeenKeys } from '@kubelabs/chat';

export const slackWindowSeconds = 5 * 60;

export type SlackVerdict =
  { ok: true } | { ok: false; code: 'slack.signature_invalid' | 'slack.replayed'; detail: string };

export function checkSlackRequest(
  signingSecret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  nowMs: number,
  acceptedSignatures: SeenKeys,
): SlackVerdict {
  const signature = headerOf(headers, 'x-slack-signature');
  const timestampText = headerOf(headers, 'x-slack-request-timestamp');
  const timestamp = /^[0-9]{1,12}$/.test(timestampText) ? Number(timestampText) : Number.NaN;
  if (!signature || Number.isNaN(timestamp))
    return {
      ok: false,
      code: 'slack.signature_invalid',
      detail: 'the X-Slack-Signature or timestamp header is missing',
    };
  if (Math.abs(nowMs / 1000 - timestamp) > slackWindowSeconds)
    return {
      ok: false,
      code: 'slack.signature_invalid',
      detail: 'the request timestamp is outside the 5-minute window',
    };
  try {
    verifySlackRequest({
      signingSecret,
      body: rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    });
  } catch {
    return { ok: false, code: 'slack.signature_invalid', detail: 'the request signature does not match' };
  }
  if (!acceptedSignatures.firstTime(signature))
    return { ok: false, code: 'slack.replayed', detail: 'this signed request was already received' };
  return { ok: true };
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}
