import { describe, expect, it } from 'vitest';
import { planTenantExposure, type PlanInput } from './plan-tenant-exposure';
import { renderWriteBack } from './render-write-back';
import type { TenantIngress, TenantService } from './sync-objects';

const tenant = { id: 't-web-a1b2c', namespace: 'kubelabs-t-web-a1b2c' };
const settings = { platformId: 'p1', ingressDomain: 'labs.example.org', ingressClassName: 'nginx' };
const limits = { services: 2, ingresses: 2, ports: [{ from: 1, to: 65535 }] };

function service(
  name: string,
  type: string,
  ports: { port: number; nodePort?: number; name?: string }[],
  extra: { namespace?: string; created?: string } = {},
): TenantService {
  return {
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      uid: `uid-${name}`,
      creationTimestamp: extra.created ?? '2026-12-07T10:00:00Z',
    },
    spec: { type, ports: ports.map((p) => ({ protocol: 'TCP' as const, ...p })) },
  };
}

function ingress(name: string, rules: { host?: string; service: string; port: number }[]): TenantIngress {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: '2026-12-07T10:00:00Z' },
    spec: {
      rules: rules.map((r) => ({
        ...(r.host ? { host: r.host } : {}),
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: r.service, port: { number: r.port } } } },
          ],
        },
      })),
    },
  };
}

const input = (over: Partial<PlanInput>): PlanInput => ({
  tenant,
  limits,
  settings,
  services: [],
  ingresses: [],
  foreignHostNames: new Set(),
  ...over,
});

describe('planTenantExposure', () => {
  it('mirrors a NodePort Service to a host NodePort Service that targets the tenant node port on every tenant VM', () => {
    const plan = planTenantExposure(input({ services: [service('web', 'NodePort', [{ port: 80, nodePort: 30080 }])] }));
    expect(plan.services).toHaveLength(1);
    const host = plan.services[0]!;
    expect(host.metadata.name).toBe('web-x-default');
    expect(host.metadata.namespace).toBe(tenant.namespace);
    expect(host.spec.selector).toEqual({ 'kubelabs.io/tenant': tenant.id });
    expect(host.spec.ports).toEqual([{ protocol: 'TCP', port: 80, targetPort: 30080 }]);
    expect(host.spec.ports[0]).not.toHaveProperty('nodePort');
    expect(host.metadata.labels['kubelabs.io/component']).toBe('syncer');
    expect(host.metadata.annotations['kubelabs.io/source-uid']).toBe('uid-web');
    expect(plan.outcomes).toEqual([expect.objectContaining({ kind: 'Service', name: 'web', state: 'synced' })]);
  });

  it.each([
    { name: 'ClusterIP Services are not exposed', type: 'ClusterIP', count: 0 },
    { name: 'ExternalName Services are not exposed', type: 'ExternalName', count: 0 },
    { name: 'LoadBalancer Services are exposed', type: 'LoadBalancer', count: 1 },
  ])('$name', ({ type, count }) => {
    const plan = planTenantExposure(input({ services: [service('s', type, [{ port: 80, nodePort: 30001 }])] }));
    expect(plan.services).toHaveLength(count);
  });

  it('rejects the excess over the limit, youngest first, with a reason', () => {
    const services = ['c', 'a', 'b'].map((name, i) =>
      service(name, 'NodePort', [{ port: 80, nodePort: 30000 + i }], { created: `2026-12-07T10:0${i}:00Z` }),
    );
    const plan = planTenantExposure(input({ services }));
    expect(plan.services.map((s) => s.metadata.name)).toEqual(['c-x-default', 'a-x-default']);
    const rejected = plan.outcomes.find((o) => o.name === 'b')!;
    expect(rejected).toMatchObject({ state: 'rejected', reason: 'exposure.limit' });
    expect(rejected.message).toContain('at most 2');
  });

  it('rejects ports the lab does not allow', () => {
    const plan = planTenantExposure(
      input({
        limits: {
          ...limits,
          ports: [
            { from: 80, to: 80 },
            { from: 8000, to: 8999 },
          ],
        },
        services: [service('db', 'NodePort', [{ port: 5432, nodePort: 30432 }])],
      }),
    );
    expect(plan.services).toHaveLength(0);
    expect(plan.outcomes[0]).toMatchObject({ reason: 'exposure.port_not_allowed' });
    expect(plan.outcomes[0]!.message).toContain('80,8000-8999');
  });

  it('leaves a host object of the same name that it does not own alone', () => {
    const plan = planTenantExposure(
      input({
        services: [service('web', 'NodePort', [{ port: 80, nodePort: 30080 }])],
        foreignHostNames: new Set(['Service/web-x-default']),
      }),
    );
    expect(plan.services).toHaveLength(0);
    expect(plan.outcomes[0]).toMatchObject({ state: 'rejected', reason: 'exposure.name_taken' });
  });

  it('gives the same name in two namespaces two host names', () => {
    const plan = planTenantExposure(
      input({
        services: [
          service('web', 'NodePort', [{ port: 80, nodePort: 30080 }]),
          service('web', 'NodePort', [{ port: 80, nodePort: 30081 }], { namespace: 'shop' }),
        ],
      }),
    );
    expect(plan.services.map((s) => s.metadata.name).toSorted()).toEqual(['web-x-default', 'web-x-shop']);
  });

  it('confines Ingress hosts to the tenant subdomain and routes through the host Service', () => {
    const plan = planTenantExposure(
      input({
        services: [service('web', 'NodePort', [{ port: 80, nodePort: 30080 }])],
        ingresses: [
          ingress('site', [
            { host: `www.${tenant.id}.labs.example.org`, service: 'web', port: 80 },
            { host: 'www.google.com', service: 'web', port: 80 },
          ]),
        ],
      }),
    );
    const host = plan.ingresses[0]!;
    expect(host.spec.ingressClassName).toBe('nginx');
    expect(host.spec.rules.map((r) => r.host)).toEqual([
      `www.${tenant.id}.labs.example.org`,
      expect.stringMatching(new RegExp(`^www-google-com-[0-9a-f]{8}\\.${tenant.id}\\.labs\\.example\\.org$`)),
    ]);
    expect(host.spec.rules[0]!.http.paths[0]!.backend).toEqual({
      service: { name: 'web-x-default', port: { number: 80 } },
    });
    const outcome = plan.outcomes.find((o) => o.kind === 'Ingress')!;
    expect(outcome.hosts).toHaveLength(2);
  });

  it.each([
    { issuer: '', tls: undefined, annotation: undefined, problem: true },
    { issuer: 'letsencrypt', tls: 'letsencrypt', annotation: 'letsencrypt', problem: false },
  ])(
    'serves the mapped hosts over TLS from the issuer "$issuer" (none: plain HTTP, and says so)',
    ({ issuer, tls, annotation, problem }) => {
      const withTls: TenantIngress = {
        ...ingress('site', [
          { host: 'www.google.com', service: 'web', port: 80 },
          { host: 'www.google.com', service: 'web', port: 80 },
          { host: 'api.example.com', service: 'web', port: 80 },
        ]),
      };
      withTls.spec = { ...withTls.spec, tls: [{ hosts: ['www.google.com'], secretName: 'student-cert' }] };
      const plan = planTenantExposure(
        input({
          settings: { ...settings, ingressTlsIssuer: issuer },
          services: [service('web', 'NodePort', [{ port: 80, nodePort: 30080 }])],
          ingresses: [withTls],
        }),
      );
      const host = plan.ingresses[0]!;
      expect(host.metadata.annotations['cert-manager.io/cluster-issuer']).toBe(annotation);
      if (tls) {
        // One entry for the distinct mapped hosts, in a Secret of the host namespace: the student's stays in the tenant.
        expect(host.spec.tls).toEqual([
          { hosts: host.spec.rules.map((r) => r.host), secretName: 'site-x-default-tls' },
        ]);
        expect(host.spec.rules).toHaveLength(2);
      } else expect(host.spec.tls).toBeUndefined();
      const outcome = plan.outcomes.find((o) => o.kind === 'Ingress')!;
      expect(outcome.state).toBe('synced');
      expect(outcome.message?.includes('TLS sections are not synced') ?? false).toBe(problem);
    },
  );

  it('reports a ClusterIP backend with the reason and the fix', () => {
    const plan = planTenantExposure(
      input({
        services: [service('api', 'ClusterIP', [{ port: 8080 }])],
        ingresses: [ingress('site', [{ host: 'a.example.com', service: 'api', port: 8080 }])],
      }),
    );
    expect(plan.ingresses).toHaveLength(0);
    const outcome = plan.outcomes[0]!;
    expect(outcome).toMatchObject({ kind: 'Ingress', state: 'rejected', reason: 'exposure.backend_unreachable' });
    expect(outcome.message).toContain('ClusterIP');
    expect(outcome.message).toContain('"type":"NodePort"');
  });

  it('is deterministic whatever the input order', () => {
    const services = [
      service('a', 'NodePort', [{ port: 80, nodePort: 30001 }]),
      service('b', 'NodePort', [{ port: 80, nodePort: 30002 }]),
    ];
    expect(planTenantExposure(input({ services }))).toEqual(
      planTenantExposure(input({ services: services.toReversed() })),
    );
  });
});

describe('renderWriteBack', () => {
  it('writes the public address and, for a LoadBalancer, the EXTERNAL-IP', () => {
    const source = service('web', 'LoadBalancer', [{ port: 80, nodePort: 30080 }]);
    const plan = planTenantExposure(input({ services: [source] }));
    const host = {
      ...plan.services[0]!,
      spec: { ...plan.services[0]!.spec, ports: [{ ...plan.services[0]!.spec.ports[0]!, nodePort: 31555 }] },
    };
    const back = renderWriteBack(plan.outcomes[0]!, source, host, 'labs.example.org');
    expect(back.annotations['kubelabs.io/public-addresses']).toBe('80/TCP=labs.example.org:31555');
    expect(back.loadBalancerIngress).toEqual([{ hostname: 'labs.example.org' }]);
    expect(renderWriteBack(plan.outcomes[0]!, source, host, '203.0.113.7').loadBalancerIngress).toEqual([
      { ip: '203.0.113.7' },
    ]);
  });

  it('writes a refusal as an annotation and a Warning event', () => {
    const back = renderWriteBack(
      {
        kind: 'Service',
        namespace: 'default',
        name: 'x',
        hostName: 'x-x-default',
        state: 'rejected',
        reason: 'exposure.limit',
        message: 'too many',
      },
      undefined,
      undefined,
      'h',
    );
    expect(back.annotations).toEqual({
      'kubelabs.io/exposure': 'rejected',
      'kubelabs.io/exposure-message': 'too many',
    });
    expect(back.event).toEqual({ reason: 'ExposureRejected', message: 'too many' });
  });
});
