// Pure: the HTTP request of one delivery attempt. CloudEvents structured mode (the whole envelope is the JSON body,
// application/cloudevents+json), so the signature covers every attribute (id, type, source, time) and not just data.
import { signWebhook, webhookContentType, webhookHeaders } from '@kubelabs/domain';

export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
}

export function renderWebhookRequest(input: {
  body: string;
  secret: string;
  subscriptionId: string;
  deliveryId: string;
  attempt: number;
  now: Date;
}): WebhookRequest {
  const timestamp = Math.floor(input.now.getTime() / 1000);
  return {
    body: input.body,
    headers: {
      'content-type': webhookContentType,
      'user-agent': 'kubelabs-webhook-dispatcher',
      [webhookHeaders.timestamp]: String(timestamp),
      [webhookHeaders.signature]: signWebhook(input.secret, timestamp, input.body),
      [webhookHeaders.subscription]: input.subscriptionId,
      [webhookHeaders.delivery]: input.deliveryId,
      [webhookHeaders.attempt]: String(input.attempt),
    },
  };
}
