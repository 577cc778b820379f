// The request of one attempt, without I/O: the body is the envelope as stored (structured mode), the timestamp is the
// attempt's second, and the signature is over exactly "<timestamp>.<body>" with the subscription's secret.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderWebhookRequest } from './render-webhook-request';

describe('renderWebhookRequest', () => {
  const body = '{"specversion":"1.0","id":"e-1","type":"tenant.expiring","data":{"minutesLeft":5}}';
  const request = renderWebhookRequest({
    body,
    secret: 'whsec_render',
    subscriptionId: 'wh-9',
    deliveryId: 'wh-9:e-1',
    attempt: 3,
    now: new Date('2026-12-07T12:00:00.900Z'),
  });

  it('sends the stored envelope unchanged, as application/cloudevents+json', () => {
    expect(request.body).toBe(body);
    expect(request.headers['content-type']).toBe('application/cloudevents+json');
  });

  it('signs "<unix seconds>.<body>" with HMAC-SHA256 of the secret, as a receiver recomputes it', () => {
    expect(request.headers['kubelabs-timestamp']).toBe('1796644800');
    const expected = createHmac('sha256', 'whsec_render').update(`1796644800.${body}`).digest('hex');
    expect(request.headers['kubelabs-signature']).toBe(`v1=${expected}`);
  });

  it('names the subscription, the delivery and the attempt', () => {
    expect(request.headers).toMatchObject({
      'kubelabs-webhook-id': 'wh-9',
      'kubelabs-delivery-id': 'wh-9:e-1',
      'kubelabs-delivery-attempt': '3',
    });
  });
});
