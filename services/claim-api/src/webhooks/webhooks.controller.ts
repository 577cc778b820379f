// Admin management of outgoing webhook subscriptions. The signing secret is shown once, in the response that created
// the subscription; deliveries, retries and dead letters are the webhook dispatcher's (see contracts/README.md).
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { eventTypes } from '@kubelabs/contracts';
import type { WebhookDeliveryDocument, WebhookSubscriptionDocument } from '@kubelabs/persistence';
import { RequireScope } from '../auth/api-key.guard';
import { ProblemDetails } from '../problem/problem-details';
import { ManageWebhooks } from './manage-webhooks';

const webhookIdPattern = /^wh-[0-9a-f-]{36}$/;
const deliveryIdPattern = /^wh-[0-9a-f-]{36}:[A-Za-z0-9._:-]{1,200}$/;
const knownEventTypes = [...eventTypes] as string[];

export class CreateWebhookRequest {
  @ApiProperty({
    example: 'https://lms.example.org/hooks/kubelabs',
    maxLength: 2048,
    description:
      'http or https, no credentials. Its host must not resolve into a refused range (loopback, link-local, the ' +
      "host cluster's ranges, WEBHOOK_REFUSED_CIDRS) unless WEBHOOK_ALLOWED_CIDRS allows it",
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  url!: string;

  @ApiProperty({
    enum: knownEventTypes,
    isArray: true,
    minItems: 1,
    uniqueItems: true,
    example: ['tenant.claimed', 'tenant.expiring', 'tenant.released'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(knownEventTypes.length)
  @ArrayUnique()
  @IsIn(knownEventTypes, { each: true, message: 'eventTypes must name event types of contracts/subjects.json' })
  eventTypes!: string[];

  @ApiPropertyOptional({ example: 'grading bot', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;
}

export class WebhookIdParam {
  @ApiProperty({ example: 'wh-3f0c2a9e-5b7d-4c1a-9e2f-8a6b4d3c2e1f', pattern: webhookIdPattern.source })
  @Matches(webhookIdPattern, { message: 'id must be a webhook id like wh-<uuid>' })
  id!: string;
}

export class RedeliverRequest {
  @ApiPropertyOptional({
    description: 'Dead letters to send again (ids from the dead-letter view); all of them when omitted',
    type: [String],
    maxItems: 500,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(deliveryIdPattern, { each: true, message: 'deliveryIds must be delivery ids from the dead-letter view' })
  deliveryIds?: string[];
}

export class WebhookView {
  @ApiProperty() id!: string;
  @ApiPropertyOptional({
    description:
      'The target URL (stored sealed); absent when no configured key (WEBHOOK_SECRET_KEY or a previous one) opens it',
  })
  url?: string;
  @ApiProperty({ description: 'The target host (and port)' }) host!: string;
  @ApiProperty({ enum: knownEventTypes, isArray: true }) eventTypes!: string[];
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ description: 'First characters of the signing secret, to recognise it' }) secretPrefix!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({ description: 'The signing secret: shown once, stored only sealed (AES-256-GCM)' }) secret!: string;
}

export class DeadLetterView {
  @ApiProperty({ description: 'Delivery id, for redelivery' }) id!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty({ description: 'Attempts made before it was given up' }) attempts!: number;
  @ApiPropertyOptional({ description: "The receiver's last HTTP status" }) lastStatus?: number;
  @ApiPropertyOptional({ description: 'Why the last attempt failed' }) lastError?: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) deadAt?: string;
  @ApiProperty({ description: 'The CloudEvents envelope that was to be delivered', type: Object }) event!: object;
}

export class RedeliveredView {
  @ApiProperty({ description: 'Dead letters put back to be delivered' }) redelivered!: number;
}

function toView(doc: WebhookSubscriptionDocument, url: string | undefined): WebhookView {
  return {
    id: doc._id,
    ...(url !== undefined && { url }),
    host: doc.host,
    eventTypes: doc.eventTypes,
    ...(doc.description !== undefined && { description: doc.description }),
    secretPrefix: doc.secretPrefix,
    createdAt: doc.createdAt.toISOString(),
  };
}

function toDeadLetterView(doc: WebhookDeliveryDocument): DeadLetterView {
  return {
    id: doc._id,
    eventId: doc.eventId,
    eventType: doc.eventType,
    attempts: doc.attempts,
    ...(doc.lastStatus !== undefined && { lastStatus: doc.lastStatus }),
    ...(doc.lastError !== undefined && { lastError: doc.lastError }),
    createdAt: doc.createdAt.toISOString(),
    ...(doc.deadAt && { deadAt: doc.deadAt.toISOString() }),
    event: JSON.parse(doc.body) as object,
  };
}

@ApiTags('webhooks')
@RequireScope('admin')
@ApiServiceUnavailableResponse({ type: ProblemDetails, description: 'webhook.disabled: no WEBHOOK_SECRET_KEY' })
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: ManageWebhooks) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a URL to platform events',
    description:
      'Each event is POSTed as a CloudEvent in structured mode (application/cloudevents+json), signed with ' +
      'HMAC-SHA256 over "<Kubelabs-Timestamp>.<body>" (Kubelabs-Signature: v1=<hex>), retried with bounded ' +
      'exponential backoff, then kept as a dead letter. The secret is in this response only.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookView })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description: 'webhook.target_refused: the host resolves into a refused range, or does not resolve',
  })
  async create(@Body() body: CreateWebhookRequest): Promise<CreatedWebhookView> {
    const { subscription, secret } = await this.webhooks.create(body);
    return { ...toView(subscription, await this.webhooks.urlOf(subscription)), secret };
  }

  @Get()
  @ApiOkResponse({ type: [WebhookView] })
  async list(): Promise<WebhookView[]> {
    const docs = await this.webhooks.list();
    return Promise.all(docs.map(async (doc) => toView(doc, await this.webhooks.urlOf(doc))));
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookView })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param() { id }: WebhookIdParam): Promise<WebhookView> {
    const doc = await this.webhooks.get(id);
    return toView(doc, await this.webhooks.urlOf(doc));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The subscription and its pending deliveries and dead letters are gone' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async delete(@Param() { id }: WebhookIdParam): Promise<void> {
    await this.webhooks.delete(id);
  }

  @Get(':id/dead-letters')
  @ApiOperation({ summary: 'Deliveries given up after the retry bound (or refused at send time), oldest first' })
  @ApiOkResponse({ type: [DeadLetterView] })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async deadLetters(@Param() { id }: WebhookIdParam): Promise<DeadLetterView[]> {
    return (await this.webhooks.deadLetters(id)).map(toDeadLetterView);
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send dead letters again, with a fresh attempt budget' })
  @ApiAcceptedResponse({ type: RedeliveredView })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async redeliver(@Param() { id }: WebhookIdParam, @Body() body: RedeliverRequest): Promise<RedeliveredView> {
    return { redelivered: await this.webhooks.redeliver(id, body.deliveryIds) };
  }
}
