import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { declareProblemResponses } from './declare-problem-responses';

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };

function documentWith(operation: OperationObject): OpenAPIObject {
  return { openapi: '3.0.0', info: { title: 't', version: '1' }, paths: { '/x/{id}': { post: operation } } };
}

describe('declareProblemResponses', () => {
  it.each([
    {
      name: 'retypes an application/json error as problem+json and keeps its description',
      operation: {
        responses: {
          '200': { description: 'ok' },
          '409': { description: 'busy', content: { 'application/json': { schema: {} } } },
        },
      },
      expected: { '200': { description: 'ok' }, '409': { description: 'busy', content: problem } },
    },
    {
      name: "retypes an error that took the route's @ApiProduces type",
      operation: { responses: { '404': { description: '', content: { 'application/yaml': { schema: {} } } } } },
      expected: { '404': { description: 'Not found', content: problem } },
    },
    {
      name: 'adds 401 and 403 to a secured operation, 400 when it takes input, 404 when its path names a resource',
      operation: {
        security: [{ bearer: [] }],
        parameters: [{ in: 'path', name: 'id', required: true }],
        responses: { '200': { description: 'ok' } },
      },
      expected: {
        '200': { description: 'ok' },
        '400': { description: 'Invalid input', content: problem },
        '401': { description: 'No or bad API key', content: problem },
        '403': { description: 'The API key lacks the scope', content: problem },
        '404': { description: 'Not found', content: problem },
      },
    },
    {
      name: 'leaves an open operation without input alone',
      operation: { responses: { '200': { description: 'ok', content: { 'text/plain': {} } } } },
      expected: { '200': { description: 'ok', content: { 'text/plain': {} } } },
    },
  ])('$name', ({ operation, expected }) => {
    const input = documentWith(operation as OperationObject);
    const before = structuredClone(input);
    const output = declareProblemResponses(input);
    expect(output.paths['/x/{id}']?.post?.responses).toEqual(expected);
    expect(input).toEqual(before);
  });
});
