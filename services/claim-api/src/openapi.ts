// The claim API's OpenAPI document, built from the controllers and DTOs; contracts/openapi.json is its committed copy
// (services/claim-api/scripts/write-openapi.sh rewrites it, test/openapi-contract.spec.ts checks it).
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { declareProblemResponses } from './problem/declare-problem-responses';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('kubelabs claim API')
    .setDescription(
      'Claim a Kubernetes learning lab: a ready tenant cluster at once (201) or a place in the queue (202). Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key (claim or admin scope)' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  return declareProblemResponses(document);
}
