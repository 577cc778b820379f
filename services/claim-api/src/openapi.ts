// The claim API's OpenAPI document, built from the controllers and DTOs; contracts/openapi.json is its committed copy
// (services/claim-api/scripts/write-openapi.sh rewrites it, test/openapi-contract.spec.ts checks it).
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type SchemaObject } from '@nestjs/swagger';
import { declareProblemResponses } from './problem/declare-problem-responses';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('kubelabs claim API')
    .setDescription(
      'Claim a Kubernetes learning lab: a ready tenant cluster at once (201) or a place in the queue (202). Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'API key',
      description: 'An API key (claim or admin scope)',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  return declareProblemResponses(declareClosedRequestBodies(document));
}

/**
 * The validation pipe refuses unknown properties (forbidNonWhitelisted), so every request body schema, and every
 * object schema it reaches, says `additionalProperties: false`. Pure: returns a copy.
 */
export function declareClosedRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const copy = structuredClone(document);
  const schemas = (copy.components?.schemas ?? {}) as Record<string, SchemaObject>;
  const seen = new Set<string>();
  const close = (schema: unknown): void => {
    if (!schema || typeof schema !== 'object') return;
    const ref = (schema as { $ref?: string }).$ref;
    if (ref) {
      const name = ref.replace('#/components/schemas/', '');
      if (seen.has(name)) return;
      seen.add(name);
      close(schemas[name]);
      return;
    }
    const object = schema as SchemaObject;
    if (object.type === 'object' || object.properties) object.additionalProperties = false;
    for (const property of Object.values(object.properties ?? {})) close(property);
    close(object.items);
  };
  for (const item of Object.values(copy.paths)) {
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch]) {
      const body = operation?.requestBody;
      if (body && 'content' in body) for (const media of Object.values(body.content)) close(media.schema);
    }
  }
  return copy;
}
