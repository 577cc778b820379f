// Entry point of the webhook dispatcher: delivers platform events to the HTTP receivers subscribed over the admin API
// (/v1/webhooks), signed, retried with bounded backoff, dead letters kept for redelivery. Its own service, so that
// slow or failing receivers never hold up the claim path, and it scales and fails on its own.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { runService } from '@kubelabs/runtime';
import { WebhookDispatcherConfig } from './config';
import { DeliverWebhooks } from './deliver-webhooks';
import { webhookDispatcherConsumer, WebhookEventsController } from './webhook-events.controller';

@Module({ controllers: [WebhookEventsController], providers: [DeliverWebhooks] })
class WebhookDispatcherModule {}

runService(WebhookDispatcherConfig, (config) => ({
  service: 'webhook-dispatcher',
  module: WebhookDispatcherModule,
  config,
  port: config.HTTP_PORT,
  connections: { mongo: true, nats: true, kube: false },
  consumers: [webhookDispatcherConsumer],
}));
