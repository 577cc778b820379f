// PoolView (libs/contracts) is written by hand from contracts/openapi.json; these checks keep the two the same shape:
// the same properties with the same JSON types, and the same required ones.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import type { PoolView } from '@kubelabs/contracts';

interface ObjectSchema {
  type: 'object';
  properties: Record<string, { type: string }>;
  required: string[];
}

const openapi = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../../contracts/openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, ObjectSchema> };
};
const schema = openapi.components.schemas.PoolView!;

// Every property, with a value of its declared type: `satisfies` rejects a missing, extra or mistyped property.
const everyProperty = {
  labId: 'sandbox',
  kubernetesVersion: '1.36',
  minReady: 2,
  maxTotal: 4,
  ready: 1,
  provisioning: 1,
  claimed: 0,
  pending: 0,
  capacityShortfall: 0,
  message: 'capacity short',
} satisfies Required<PoolView>;

type RequiredKey = { [K in keyof PoolView]-?: undefined extends PoolView[K] ? never : K }[keyof PoolView];
const requiredKeys = [
  'labId',
  'kubernetesVersion',
  'minReady',
  'maxTotal',
  'ready',
  'provisioning',
  'claimed',
  'pending',
  'capacityShortfall',
] as const satisfies readonly RequiredKey[];
// Compile-time: the list above names every required key of PoolView.
const listsEveryRequiredKey: [Exclude<RequiredKey, (typeof requiredKeys)[number]>] extends [never] ? true : false =
  true;
void listsEveryRequiredKey;

describe('PoolView and contracts/openapi.json', () => {
  it('declares the same properties with the same JSON types', () => {
    expect(Object.keys(schema.properties).toSorted()).toEqual(Object.keys(everyProperty).toSorted());
    const validate = new Ajv({ strict: false }).compile({ ...schema, additionalProperties: false });
    expect(validate(everyProperty), JSON.stringify(validate.errors)).toBe(true);
  });

  it('requires the same properties', () => {
    expect(schema.required.toSorted()).toEqual([...requiredKeys].toSorted());
  });
});
