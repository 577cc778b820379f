// Every manifest renderTenant produces must be one the API server accepts: VirtualMachines against KubeVirt's own
// OpenAPI document (closed: an unknown or misspelt field fails, as strict field validation would), core objects
// against the upstream schemas in kubernetes-models.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Namespace, Secret, Service } from 'kubernetes-models/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@kubelabs/testing';
import type { TenantCredentials } from '@kubelabs/domain';
import { planTenantCredentials } from '../credentials';
import { renderTenant, type KubernetesObject } from './index';
import { makeLab, makeTenant, studentKey } from './render-tenant.fixtures';

type Schema = Record<string, unknown>;

/** KubeVirt's swagger leaves objects open; close every one that lists its properties, so typos cannot pass. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (node === null || typeof node !== 'object') return;
  const schema = node as Schema;
  if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  Object.values(schema).forEach(closeObjects);
}

function compileVirtualMachineValidator(): ValidateFunction {
  const path = resolve(repoRoot, '../shared/schemas/kubevirt-openapi-v2.json');
  const document = JSON.parse(readFileSync(path, 'utf8')) as { definitions: Record<string, Schema> };
  closeObjects(document.definitions);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'kubevirt', definitions: document.definitions });
  return ajv.compile({ $ref: 'kubevirt#/definitions/v1.VirtualMachine' });
}

const coreModels: Record<string, new (data: never) => { validate(): void }> = { Namespace, Secret, Service };

describe('rendered manifests against upstream schemas', () => {
  let validateVirtualMachine: ValidateFunction;
  let credentials: TenantCredentials;
  beforeAll(async () => {
    validateVirtualMachine = compileVirtualMachineValidator();
    credentials = await planTenantCredentials({ now: new Date('2026-11-20T10:00:00Z') });
  });

  it('rejects a VirtualMachine KubeVirt would reject, so the check has teeth', () => {
    const [virtualMachine] = renderTenant(makeLab(), makeTenant(makeLab()), { credentials }).filter(
      (object) => object.kind === 'VirtualMachine',
    ) as [KubernetesObject & { spec: { template: { spec: Schema } } }];
    const misspelt = structuredClone(virtualMachine);
    misspelt.spec.template.spec.acessCredentials = misspelt.spec.template.spec.accessCredentials;
    const wrongType = structuredClone(virtualMachine);
    (wrongType.spec.template.spec.domain as Schema).cpu = { cores: 'two' };
    const noDomain = structuredClone(virtualMachine);
    delete noDomain.spec.template.spec.domain;
    for (const broken of [misspelt, wrongType, noDomain]) expect(validateVirtualMachine(broken)).toBe(false);
  });

  it.each([
    { name: 'a control plane alone', workers: 0, options: {} },
    { name: 'a control plane and three workers', workers: 3, options: {} },
    { name: 'a control plane behind masquerade', workers: 0, options: { podNetworkBinding: 'masquerade' as const } },
    {
      name: 'nodes with bandwidth annotations on their templates',
      workers: 1,
      options: { vmBandwidth: { ingress: '100M', egress: '100M' } },
      network: { egressBandwidth: '20M' },
    },
  ])('renders VirtualMachines KubeVirt accepts for $name', ({ workers, options, network }) => {
    const lab = makeLab({ workers, ...(network ? { network } : {}) });
    const virtualMachines = renderTenant(lab, makeTenant(lab), { credentials, options }).filter(
      (object) => object.kind === 'VirtualMachine',
    );
    expect(virtualMachines).toHaveLength(1 + workers);
    // The annotated row really carries annotations, so KubeVirt's ObjectMeta is what accepts them.
    if (network)
      for (const vm of virtualMachines as unknown as { spec: { template: { metadata: Schema } } }[])
        expect(vm.spec.template.metadata.annotations).toEqual({
          'kubernetes.io/ingress-bandwidth': '100M',
          'kubernetes.io/egress-bandwidth': '20M',
        });
    for (const virtualMachine of virtualMachines) {
      const valid = validateVirtualMachine(virtualMachine);
      expect(validateVirtualMachine.errors ?? [], virtualMachine.metadata.name).toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it.each([{ workers: 0 }, { workers: 3 }])(
    'renders Namespace, Secrets and Services the core schemas accept ($workers workers)',
    ({ workers }) => {
      const lab = makeLab({ workers, setup: { controlPlane: 'echo broken', workers: 'echo broken' } });
      const objects = renderTenant(lab, makeTenant(lab), { credentials, sshAuthorizedKeys: [studentKey] });
      const core = objects.filter((object) => object.apiVersion === 'v1');
      expect(new Set(core.map((object) => object.kind))).toEqual(new Set(['Namespace', 'Secret', 'Service']));
      for (const object of core) {
        const Model = coreModels[object.kind]!;
        expect(() => new Model(object as never).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
      }
      const service = structuredClone(core.find((object) => object.kind === 'Service')!) as unknown as {
        spec: { ports: Schema[] };
      };
      service.spec.ports[0]!.port = 'https';
      expect(() => new Service(service as never).validate()).toThrow();
    },
  );
});
