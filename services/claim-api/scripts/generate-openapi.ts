// Builds the claim API's OpenAPI document as the running service serves it, but without MongoDB, NATS or Kubernetes:
// only route metadata is read, so every provider the runtime would supply is an inert stand-in.
import 'reflect-metadata';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Metrics } from '@kubelabs/runtime';
import { repoRoot } from '@kubelabs/testing';
import { ClaimApiModule } from '../src/claim-api.module';
import { ClaimApiConfig } from '../src/config';
import { buildOpenApiDocument } from '../src/openapi';

export const openApiContractPath = join(repoRoot, 'contracts', 'openapi.json');

/** The document the running service serves at /openapi.json, built without any connection. */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const moduleRef = await Test.createTestingModule({ imports: [ClaimApiModule] })
    // Providers the runtime module would supply (connections, config): the default config, and inert objects for the
    // rest. Nothing calls them: the document is read from decorators before any request is served.
    // Metrics is real (constructors register their metrics on it); it needs no connection.
    .useMocker((token) => (token === ClaimApiConfig ? new ClaimApiConfig() : token === Metrics ? new Metrics() : {}))
    .compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** Canonical text of a document: keys sorted at every level, two-space indent, one trailing newline. */
export function serializeOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
