// Bad input at the claim API's edge, against the real platform: every refusal is an application/problem+json answer
// with the right status (400, 401, 403, 404, 409, 422) and a clear detail, and nothing ever becomes a 5xx.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Lab } from '@kubelabs/domain';
import { waitFor } from '@kubelabs/testing';
import { startPlatform, type RunningPlatform } from '../simulator/src/run-platform';
import { openApiContractPath } from '../services/claim-api/scripts/generate-openapi';

interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  body: Record<string, unknown>;
}

interface Send {
  /** An API key (sent as a bearer token), or null for no Authorization header. */
  key?: string | null;
  authorization?: string;
  /** An object is sent as JSON; a string is sent as it is, as application/json. */
  body?: unknown;
  headers?: Record<string, string>;
}

function inputLab(id: string): Lab {
  return {
    id,
    title: `Input lab ${id}`,
    description: 'A lab for the input tests',
    level: 'beginner',
    hints: [],
    tags: ['test'],
    kubernetesVersions: ['1.35', '1.36'],
    topology: { controlPlane: { cpu: 2, memoryMiB: 1536 }, workers: { count: 0, cpu: 1, memoryMiB: 1024 } },
    image: 'quay.io/kubelabs/ubuntu-kubeadm:{version}',
    setup: {},
    session: { durationMinutes: 60, maxExtensionMinutes: 30 },
    pool: { minReady: 1, maxTotal: 3, perVersion: { '1.35': { minReady: 0, maxTotal: 1 } } },
  };
}

/** An RFC 9457 answer: the status, the problem+json media type, and type/title/status/detail. */
function expectProblem(answer: Answer, status: number, detail?: RegExp): void {
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({
    type: expect.stringMatching(/^https:\/\/kubelabs\.dev\/problems\/[a-z_.]+$/),
    title: expect.any(String),
    status,
    detail: expect.stringMatching(/\S/),
  });
  if (detail) expect(answer.body.detail).toMatch(detail);
}

describe('the claim API at its edge', () => {
  let platform: RunningPlatform;
  let claimKey: string;
  let otherClaimKey: string;
  let revokedKey: string;

  async function send(
    method: string,
    path: string,
    { key, authorization, body, headers = {} }: Send = {},
  ): Promise<Answer> {
    const bearer = key === undefined ? platform.apiKey : key;
    const res = await fetch(`${platform.claimApiUrl}${path}`, {
      method,
      headers: {
        ...(authorization !== undefined
          ? { authorization }
          : bearer !== null
            ? { authorization: `Bearer ${bearer}` }
            : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    // Whatever the input, the service never answers with a server error.
    expect(res.status, `${method} ${path} answered ${res.status}: ${text}`).toBeLessThan(500);
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      headers: res.headers,
      body: parsed,
    };
  }

  async function createKey(name: string, scopes: string[]): Promise<{ id: string; key: string }> {
    const created = await send('POST', '/v1/api-keys', { body: { name, scopes } });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, key: created.body.key as string };
  }

  async function waitForReadyTenant(labId: string): Promise<void> {
    await waitFor(
      `a ready tenant of ${labId}@1.36`,
      async () => {
        const pools = (await send('GET', '/v1/pools')).body as unknown as {
          labId: string;
          kubernetesVersion: string;
          ready: number;
        }[];
        return pools.some((p) => p.labId === labId && p.kubernetesVersion === '1.36' && p.ready >= 1);
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
  }

  beforeAll(async () => {
    const lanes = inject('lanes');
    platform = await startPlatform({
      natsUrl: lanes.natsUrl,
      mongoUrl: lanes.mongoUrl,
      kubeconfigPath: lanes.kubeconfigPath,
      labs: [inputLab('input-a'), inputLab('input-b')],
      simulator: { bootMs: 200 },
    });
    claimKey = (await createKey('input-tests', ['claim'])).key;
    otherClaimKey = (await createKey('input-tests-other', ['claim'])).key;
    const revoked = await createKey('input-tests-revoked', ['claim']);
    revokedKey = revoked.key;
    expect((await send('DELETE', `/v1/api-keys/${revoked.id}`)).status).toBe(204);
    await Promise.all([waitForReadyTenant('input-a'), waitForReadyTenant('input-b')]);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('serves at /openapi.json the document committed as contracts/openapi.json', async () => {
    const served = await fetch(`${platform.claimApiUrl}/openapi.json`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(readFileSync(openApiContractPath, 'utf8')));
  });

  const validClaimId = 'c-0123456789abcdef';
  const badRequests: { name: string; method: string; path: string; send?: Send; detail?: RegExp }[] = [
    { name: 'a body that is not JSON', method: 'POST', path: '/v1/claims', send: { body: '{"labId": "input-a",' } },
    { name: 'a JSON body that is an array', method: 'POST', path: '/v1/claims', send: { body: '[]' } },
    { name: 'a JSON body that is a string', method: 'POST', path: '/v1/claims', send: { body: '"input-a"' } },
    { name: 'a JSON body that is null', method: 'POST', path: '/v1/claims', send: { body: 'null' } },
    { name: 'an empty body', method: 'POST', path: '/v1/claims', send: { body: {} }, detail: /labId/ },
    {
      name: 'fields of the wrong type',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 7, userId: true } },
      detail: /labId.*userId|userId.*labId/,
    },
    {
      name: 'an unknown property',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: 'ada', admin: true } },
      detail: /admin/,
    },
    {
      name: 'a labId that is not a slug',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'Input_A!', userId: 'ada' } },
      detail: /labId/,
    },
    {
      name: 'a userId with a space',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: 'ada lovelace' } },
      detail: /userId/,
    },
    {
      name: 'an empty userId',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: '' } },
      detail: /userId/,
    },
    {
      name: 'a userId over 128 characters',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: 'a'.repeat(129) } },
      detail: /userId/,
    },
    {
      name: 'a malformed kubernetesVersion',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: 'ada', kubernetesVersion: 'latest' } },
      detail: /kubernetesVersion/,
    },
    {
      name: 'a kubernetesVersion that is a number',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: 'ada', kubernetesVersion: 1.36 } },
      detail: /kubernetesVersion/,
    },
    {
      name: 'an sshPublicKey that is not a key',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: 'ada', sshPublicKey: 'hello' } },
      detail: /sshPublicKey/,
    },
    {
      name: 'an sshPublicKey of two lines',
      method: 'POST',
      path: '/v1/claims',
      send: {
        body: {
          labId: 'input-a',
          userId: 'ada',
          sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA a\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA b',
        },
      },
      detail: /sshPublicKey/,
    },
    {
      name: 'an Idempotency-Key with a space',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: 'ada' }, headers: { 'idempotency-key': 'two words' } },
      detail: /Idempotency-Key/,
    },
    {
      name: 'an Idempotency-Key over 128 characters',
      method: 'POST',
      path: '/v1/claims',
      send: { body: { labId: 'input-a', userId: 'ada' }, headers: { 'idempotency-key': 'k'.repeat(129) } },
      detail: /Idempotency-Key/,
    },
    { name: 'a malformed claim id (GET)', method: 'GET', path: '/v1/claims/not-a-claim', detail: /claim id/ },
    { name: 'a malformed claim id (DELETE)', method: 'DELETE', path: '/v1/claims/c-XYZ', detail: /claim id/ },
    { name: 'a malformed claim id (events)', method: 'GET', path: '/v1/claims/c-XYZ/events', detail: /claim id/ },
    {
      name: 'a malformed claim id (kubeconfig)',
      method: 'GET',
      path: '/v1/claims/c-XYZ/kubeconfig',
      detail: /claim id/,
    },
    {
      name: 'an extension of 0 minutes',
      method: 'POST',
      path: `/v1/claims/${validClaimId}/extend`,
      send: { body: { minutes: 0 } },
      detail: /minutes/,
    },
    {
      name: "an extension of 'abc' minutes",
      method: 'POST',
      path: `/v1/claims/${validClaimId}/extend`,
      send: { body: { minutes: 'abc' } },
      detail: /minutes/,
    },
    {
      name: "an extension of '5' minutes (a string)",
      method: 'POST',
      path: `/v1/claims/${validClaimId}/extend`,
      send: { body: { minutes: '5' } },
      detail: /minutes/,
    },
    {
      name: 'an extension of 1.5 minutes',
      method: 'POST',
      path: `/v1/claims/${validClaimId}/extend`,
      send: { body: { minutes: 1.5 } },
      detail: /minutes/,
    },
    { name: 'a malformed userId filter', method: 'GET', path: '/v1/claims?userId=ada%20lovelace', detail: /userId/ },
    { name: 'a malformed lab id', method: 'GET', path: '/v1/labs/Input_A', detail: /lab slug/ },
    {
      name: 'an API key without scopes',
      method: 'POST',
      path: '/v1/api-keys',
      send: { body: { name: 'x', scopes: [] } },
      detail: /scopes/,
    },
    {
      name: 'an API key with an unknown scope',
      method: 'POST',
      path: '/v1/api-keys',
      send: { body: { name: 'x', scopes: ['root'] } },
      detail: /scopes/,
    },
    { name: 'a malformed API key id', method: 'DELETE', path: '/v1/api-keys/nope', detail: /API key id/ },
  ];

  it.each(badRequests)('answers 400 problem+json to $name', async ({ method, path, send: options, detail }) => {
    expectProblem(await send(method, path, options), 400, detail);
  });

  it.each([
    { name: 'no Authorization header', send: { key: null } },
    { name: 'the Basic scheme', send: { authorization: 'Basic YWRhOnNlY3JldA==' } },
    { name: 'a bearer token with no key', send: { authorization: 'Bearer ' } },
    { name: 'an unknown key', send: { key: 'kl_this-key-was-never-issued' } },
  ])('answers 401 problem+json with a Bearer challenge to $name', async ({ send: options }) => {
    for (const [method, path] of [
      ['GET', '/v1/labs'],
      ['POST', '/v1/claims'],
      ['GET', '/v1/pools'],
    ] as const) {
      const answer = await send(method, path, {
        ...options,
        ...(method === 'POST' ? { body: { labId: 'input-a', userId: 'ada' } } : {}),
      });
      expectProblem(answer, 401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  it('answers 401 to a revoked key', async () => {
    expectProblem(await send('GET', '/v1/labs', { key: revokedKey }), 401, /unknown or revoked/);
  });

  it.each([
    { method: 'GET', path: '/v1/pools' },
    { method: 'GET', path: '/v1/api-keys' },
    { method: 'POST', path: '/v1/api-keys', body: { name: 'escalation', scopes: ['admin'] } },
    { method: 'DELETE', path: '/v1/api-keys/key-00000000-0000-0000-0000-000000000000' },
  ])('answers 403 problem+json to a claim-scoped key on $method $path', async ({ method, path, body }) => {
    expectProblem(await send(method, path, { key: claimKey, ...(body ? { body } : {}) }), 403, /admin/);
  });

  it.each([
    {
      name: 'an unknown lab',
      method: 'POST',
      path: '/v1/claims',
      body: { labId: 'no-such-lab', userId: 'nobody-1' },
      detail: /no-such-lab/,
    },
    {
      name: 'a version the lab is not offered on',
      method: 'POST',
      path: '/v1/claims',
      body: { labId: 'input-a', userId: 'nobody-2', kubernetesVersion: '1.20' },
      detail: /1\.36/,
    },
    { name: 'an unknown lab (GET)', method: 'GET', path: '/v1/labs/no-such-lab' },
    { name: 'an unknown claim id', method: 'GET', path: `/v1/claims/${validClaimId}` },
    { name: 'releasing an unknown claim', method: 'DELETE', path: `/v1/claims/${validClaimId}` },
    {
      name: 'extending an unknown claim',
      method: 'POST',
      path: `/v1/claims/${validClaimId}/extend`,
      body: { minutes: 5 },
    },
    { name: 'the kubeconfig of an unknown claim', method: 'GET', path: `/v1/claims/${validClaimId}/kubeconfig` },
    { name: 'the events of an unknown claim', method: 'GET', path: `/v1/claims/${validClaimId}/events` },
    {
      name: 'revoking an unknown API key',
      method: 'DELETE',
      path: '/v1/api-keys/key-00000000-0000-0000-0000-000000000000',
    },
    { name: 'an unknown route', method: 'GET', path: '/v1/nowhere' },
  ])('answers 404 problem+json to $name', async ({ method, path, body, detail }) => {
    expectProblem(
      await send(method, path, {
        key: claimKey,
        ...(body ? { body } : {}),
        ...(path.startsWith('/v1/api-keys') ? { key: undefined } : {}),
      }),
      404,
      detail,
    );
  });

  it("hides another key's claim from a claim-scoped key: 404 on read, release, extend and kubeconfig, absent from its list", async () => {
    const created = await send('POST', '/v1/claims', {
      key: claimKey,
      body: { labId: 'input-a', userId: 'hidden-owner' },
    });
    expect([201, 202]).toContain(created.status);
    const id = created.body.id as string;
    for (const [method, path, body] of [
      ['GET', `/v1/claims/${id}`, undefined],
      ['GET', `/v1/claims/${id}/kubeconfig`, undefined],
      ['GET', `/v1/claims/${id}/events`, undefined],
      ['POST', `/v1/claims/${id}/extend`, { minutes: 5 }],
      ['DELETE', `/v1/claims/${id}`, undefined],
    ] as const) {
      expectProblem(await send(method, path, { key: otherClaimKey, ...(body ? { body } : {}) }), 404, /no claim/);
    }
    const listed = (await send('GET', '/v1/claims?userId=hidden-owner', { key: otherClaimKey })).body as unknown as {
      id: string;
    }[];
    expect(listed).toEqual([]);
    // The owner still sees it, untouched.
    expect((await send('GET', `/v1/claims/${id}`, { key: claimKey })).body).toMatchObject({
      id,
      state: created.body.state,
    });
  });

  it('answers 409 to a second live claim for the same user, and 409 to an extension past the lab maximum', async () => {
    await waitForReadyTenant('input-a');
    const first = await send('POST', '/v1/claims', { key: claimKey, body: { labId: 'input-a', userId: 'ada' } });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/v1/claims/${first.body.id as string}`);
    expectProblem(
      await send('POST', '/v1/claims', { key: claimKey, body: { labId: 'input-b', userId: 'ada' } }),
      409,
      /ada already holds/,
    );

    const id = first.body.id as string;
    const extended = await send('POST', `/v1/claims/${id}/extend`, { key: claimKey, body: { minutes: 20 } });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.body.expiresAt as string) - Date.parse(first.body.expiresAt as string)).toBe(
      20 * 60_000,
    );
    expectProblem(
      await send('POST', `/v1/claims/${id}/extend`, { key: claimKey, body: { minutes: 11 } }),
      409,
      /maximum extension of 30 min/,
    );
    // Without a body: the lab's step (15 by default), cut to the 10 minutes left of the maximum; then nothing is left.
    const stepped = await send('POST', `/v1/claims/${id}/extend`, { key: claimKey });
    expect(stepped.status).toBe(200);
    expect(Date.parse(stepped.body.expiresAt as string) - Date.parse(extended.body.expiresAt as string)).toBe(
      10 * 60_000,
    );
    expectProblem(await send('POST', `/v1/claims/${id}/extend`, { key: claimKey }), 409, /used up/);
  });

  it('answers 409 to extending a claim that is not active', async () => {
    const released = await send('POST', '/v1/claims', {
      key: claimKey,
      body: { labId: 'input-b', userId: 'not-active' },
    });
    expect([201, 202]).toContain(released.status);
    const id = released.body.id as string;
    expect((await send('DELETE', `/v1/claims/${id}`, { key: claimKey })).status).toBe(200);
    expectProblem(
      await send('POST', `/v1/claims/${id}/extend`, { key: claimKey, body: { minutes: 5 } }),
      409,
      /not active/,
    );
    expectProblem(await send('GET', `/v1/claims/${id}/kubeconfig`, { key: claimKey }), 409, /no kubeconfig/);
  });

  it('gives an Idempotency-Key retry the same claim, and refuses the key with a different request (422)', async () => {
    const headers = { 'idempotency-key': 'input-test-retry-1' };
    const body = { labId: 'input-b', userId: 'grace' };
    const first = await send('POST', '/v1/claims', { key: claimKey, body, headers });
    expect([201, 202]).toContain(first.status);
    const retry = await send('POST', '/v1/claims', { key: claimKey, body, headers });
    expect([200, 201, 202]).toContain(retry.status);
    expect(retry.body.id).toBe(first.body.id);
    expectProblem(
      await send('POST', '/v1/claims', { key: claimKey, body: { ...body, userId: 'grace-2' }, headers }),
      422,
      /different request/,
    );
    // The key is per API key: another key's identical request is a new request (and the user's slot is taken).
    expectProblem(await send('POST', '/v1/claims', { key: otherClaimKey, body, headers }), 409);
  });
});
