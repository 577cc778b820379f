// Validates a lab given as data (the admin HTTP API's JSON body) with the same schema and rules as a lab file.
import type { Lab } from '@kubelabs/domain';
import { checkLabRules } from './check-lab-rules';
import { validateLabSchema, type FieldError } from './validate-lab-schema';

export function parseLabObject(data: unknown, id: string): { lab: Lab } | { errors: FieldError[] } {
  const copy = structuredClone(data);
  const errors = [...validateLabSchema(copy), ...checkLabRules(copy, id)];
  return errors.length > 0 ? { errors } : { lab: copy as Lab };
}
