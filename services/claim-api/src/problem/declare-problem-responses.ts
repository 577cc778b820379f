// Makes the OpenAPI document say what ProblemDetailsFilter does: every error response is application/problem+json
// with the ProblemDetails schema (@nestjs/swagger writes application/json, or the route's @ApiProduces type), and
// every operation lists the errors its shape makes possible (401/403 when secured, 400 with input, 404 with a path id).
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { problemContentType } from './problem-details';

export const problemSchemaRef = '#/components/schemas/ProblemDetails';

const defaultDescriptions: Record<string, string> = {
  '400': 'Invalid input',
  '401': 'No or bad API key',
  '403': 'The API key lacks the scope',
  '404': 'Not found',
};

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Pure: returns a copy of `document` with problem responses declared and typed on every operation. */
export function declareProblemResponses(document: OpenAPIObject): OpenAPIObject {
  const copy = structuredClone(document);
  for (const item of Object.values(copy.paths)) {
    for (const method of methods) {
      const operation = item[method];
      if (operation) item[method] = withProblemResponses(operation);
    }
  }
  return copy;
}

function withProblemResponses(operation: OperationObject): OperationObject {
  const parameters = (operation.parameters ?? []).flatMap((p) => ('in' in p ? [p] : []));
  const implied = [
    ...((operation.security ?? []).length > 0 ? ['401', '403'] : []),
    ...(parameters.length > 0 || operation.requestBody ? ['400'] : []),
    ...(parameters.some((p) => p.in === 'path') ? ['404'] : []),
  ];
  const responses: Record<string, ResponseObject> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = isErrorStatus(status)
      ? problemResponse((response as ResponseObject).description)
      : (response as ResponseObject);
  }
  for (const status of implied) responses[status] ??= problemResponse('');
  for (const [status, response] of Object.entries(responses)) {
    if (isErrorStatus(status) && !response.description) response.description = defaultDescriptions[status] ?? 'Error';
  }
  const ordered = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  return { ...operation, responses: ordered };
}

function isErrorStatus(status: string): boolean {
  return /^[45]/.test(status);
}

function problemResponse(description: string): ResponseObject {
  return { description, content: { [problemContentType]: { schema: { $ref: problemSchemaRef } } } };
}
