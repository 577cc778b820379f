// How a receiver verifies a kubelabs webhook (contracts/README.md, "Webhooks"), in plain Node.js. The end-to-end test
// verifies every delivery with this very function, and checks that the README shows it as it is here.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verify(secret, rawBody, headers, nowSeconds = Math.floor(Date.now() / 1000)) {
  const timestamp = headers['kubelabs-timestamp'];
  if (!/^[0-9]+$/.test(timestamp ?? '') || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`);
  const given = Buffer.from(headers['kubelabs-signature'] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
