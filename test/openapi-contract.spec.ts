// contracts/openapi.json is the claim API's HTTP contract: it must be exactly what the code generates, a valid
// OpenAPI document, and say on every operation which problem+json errors it can answer.
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import type { OpenAPI } from 'openapi-types';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateOpenApiDocument,
  openApiContractPath,
  serializeOpenApiDocument,
} from '../services/claim-api/scripts/generate-openapi';

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operations(document: OpenAPIObject): { name: string; operation: OperationObject }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    methods.flatMap((method) =>
      item[method] ? [{ name: `${method.toUpperCase()} ${path}`, operation: item[method] }] : [],
    ),
  );
}

describe('the claim API OpenAPI contract (contracts/openapi.json)', () => {
  let committed: string;
  let document: OpenAPIObject;

  beforeAll(async () => {
    committed = readFileSync(openApiContractPath, 'utf8');
    document = JSON.parse(committed) as OpenAPIObject;
  });

  it('is exactly what the controllers and DTOs generate (run services/claim-api/scripts/write-openapi.sh after a change)', async () => {
    const generated = serializeOpenApiDocument(await generateOpenApiDocument());
    expect(committed).toBe(generated);
  });

  it('is a valid OpenAPI document', async () => {
    await expect(
      SwaggerParser.validate(structuredClone(document) as unknown as OpenAPI.Document),
    ).resolves.toBeTruthy();
  });

  it('declares every error response as application/problem+json with the ProblemDetails schema', () => {
    const errors = operations(document).flatMap(({ name, operation }) =>
      Object.entries(operation.responses)
        .filter(([status]) => /^[45]/.test(status))
        .map(([status, response]) => ({ at: `${name} ${status}`, content: (response as ResponseObject).content })),
    );
    expect(errors.length).toBeGreaterThan(0);
    for (const { at, content } of errors) {
      expect({ at, content }).toEqual({
        at,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
      });
    }
    expect(document.components?.schemas?.ProblemDetails).toMatchObject({
      required: expect.arrayContaining(['type', 'title', 'status', 'detail']),
    });
  });

  it('declares 401 and 403 on every secured operation, 400 where it takes input and 404 where the path names a resource', () => {
    for (const { name, operation } of operations(document)) {
      const statuses = Object.keys(operation.responses);
      const parameters = (operation.parameters ?? []) as { in: string }[];
      expect(operation.security, name).toEqual([{ bearer: [] }]);
      expect(statuses, name).toEqual(expect.arrayContaining(['401', '403']));
      if (parameters.length > 0 || operation.requestBody) expect(statuses, name).toContain('400');
      if (parameters.some((p) => p.in === 'path')) expect(statuses, name).toContain('404');
    }
  });

  it('declares a success response on every operation', () => {
    const missing = operations(document)
      .filter(({ operation }) => !Object.keys(operation.responses).some((status) => status.startsWith('2')))
      .map(({ name }) => name);
    expect(missing).toEqual([]);
  });

  it('tells a claim served at once (201) from a queued one (202), and declares the conflicts of a claim', () => {
    const create = document.paths['/v1/claims']?.post;
    expect(Object.keys(create?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '202', '400', '401', '403', '404', '409']),
    );
    for (const status of ['201', '202']) {
      const response = create?.responses[status] as ResponseObject | undefined;
      expect(response?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/ClaimView' });
    }
    expect(Object.keys(document.paths['/v1/claims/{id}/extend']?.post?.responses ?? {})).toContain('409');
  });
});
