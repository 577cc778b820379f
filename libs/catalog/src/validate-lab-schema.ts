// Checks a lab file's data against contracts/lab.schema.json (the language-neutral truth) and turns ajv's errors into
// short, specific messages with a JSON pointer to the offending field. Every error is reported, not just the first.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { pointer } from './catalog-error';

export interface FieldError {
  path: string;
  message: string;
}

/** The contracts folder is found by walking up from this file, so it works from src/ (tests) and dist/ alike. */
export function labSchemaPath(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(dir, 'contracts', 'lab.schema.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`contracts/lab.schema.json not found above ${__dirname}`);
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(labSchemaPath(), 'utf8')) as object;
    compiled = new Ajv2020({ allErrors: true, strict: true, useDefaults: true, verbose: true }).compile(schema);
  }
  return compiled;
}

/** Validates `data` in place (fills defaults: empty hints, tags and setup) and returns every schema error. */
export function validateLabSchema(data: unknown): FieldError[] {
  const validate = validator();
  if (validate(data)) return [];
  return (validate.errors ?? []).flatMap((error) => {
    const translated = translateError(error);
    return translated ? [translated] : [];
  });
}

const patternMeaning: Record<string, string> = {
  '#/$defs/labId/pattern': 'must be a slug of 1 to 48 lowercase letters, digits or inner hyphens',
  '#/$defs/kubernetesVersion/pattern': "must be a Kubernetes minor version such as '1.36'",
  '#/properties/image/pattern':
    'must be an image reference containing {version}, e.g. quay.io/kubelabs/ubuntu-kubeadm:{version}',
  '#/properties/tags/items/pattern': 'must be 1 to 32 lowercase letters, digits or hyphens',
  '#/$defs/bandwidth/pattern':
    'must be a quantity in bits per second such as 100M (a number with k, M, G, T, P or Ki ... Pi)',
};

function translateError(error: ErrorObject): FieldError | undefined {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: at + pointer(String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const guess = closest(name, allowed);
      return { path: at + pointer(name), message: `is not a known field${guess ? ` (did you mean ${guess}?)` : ''}` };
    }
    case 'propertyNames':
      return undefined; // the failing name's own error (below, with `propertyName`) says what is wrong
    case 'if':
      return undefined; // a check's kind-specific errors (its `then` branch) say what is wrong
    case 'pattern': {
      const meaning = patternMeaning[error.schemaPath] ?? `must match ${String(params.pattern)}`;
      if (error.propertyName !== undefined) {
        return {
          path: at + pointer(error.propertyName),
          message: `key ${meaning} (quote versions in YAML: '1.30', not 1.30)`,
        };
      }
      return { path: at, message: `${meaning}, got ${JSON.stringify(error.data)}` };
    }
    case 'type':
      if (at === '') return { path: at, message: 'must be a YAML mapping holding one lab' };
      if (error.schemaPath === '#/$defs/kubernetesVersion/type' && typeof error.data === 'number') {
        return {
          path: at,
          message: `must be a quoted string: YAML reads an unquoted version as the number ${error.data}`,
        };
      }
      return { path: at, message: `must be ${article(String(params.type))}, got ${JSON.stringify(error.data)}` };
    case 'enum':
      return {
        path: at,
        message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}, got ${JSON.stringify(error.data)}`,
      };
    case 'uniqueItems':
      return {
        path: at,
        message: `must not list ${JSON.stringify((error.data as unknown[])[Number(params.i)])} twice`,
      };
    case 'minimum':
    case 'maximum':
      return { path: at, message: `${error.message ?? 'is out of range'}, got ${JSON.stringify(error.data)}` };
    default:
      return { path: at, message: error.message ?? `fails ${error.keyword}` };
  }
}

function article(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}

/** The allowed name within two edits of `name`, if there is exactly one best. */
function closest(name: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
