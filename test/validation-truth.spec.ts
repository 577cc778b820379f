// One validation truth, end to end: every edge user id of the contract is accepted by the real claim API and every
// event its claims cause (claim.requested or tenant.claimed, then tenant.released or claim.cancelled) reaches
// JetStream and validates; every just-invalid one is refused at the edge with a 400, over HTTP and over NATS alike.
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { edgeValues, fieldRules, validateCommandReply, validateEvent } from '@kubelabs/contracts';
import { waitFor } from '@kubelabs/testing';
import { api, storedEvents, studentKey, testLab, usePlatform, waitForPoolsFull } from './support/platform-client';

const platforms = usePlatform();
const sshPublicKey = studentKey('edge@laptop');

describe('user ids at the edges of the contract', () => {
  it('claims with every edge user id the contract accepts, and stores every event those claims cause', async () => {
    const platform = await platforms.start({
      labs: [testLab('edge', { minReady: 2, maxTotal: 3 })],
      simulator: { bootMs: 200 },
    });
    await waitForPoolsFull(platform);
    const { valid, invalid } = edgeValues(fieldRules.userId);
    expect(valid).toEqual(expect.arrayContaining(['A+', 'A@', 'A'.repeat(128)]));

    // Each claim is made and at once ended: the first ones take ready tenants (tenant.claimed, then tenant.released),
    // the rest wait (claim.requested, then claim.cancelled) or are served meanwhile.
    const claims = new Map<string, string>();
    for (const userId of valid) {
      const created = await api(platform, 'POST', '/v1/claims', { labId: 'edge', userId, sshPublicKey });
      expect([201, 202], JSON.stringify(userId)).toContain(created.status);
      expect(created.body.userId).toBe(userId);
      const ended = await api(platform, 'DELETE', `/v1/claims/${String(created.body.id)}`);
      expect(['released', 'cancelled'], userId).toContain(ended.body.state);
      claims.set(String(created.body.id), userId);
    }

    type Stored = Awaited<ReturnType<typeof storedEvents>>[number];
    let stored: Stored[] = [];
    const ofClaim = (claimId: string) => stored.filter((event) => event.data.claimId === claimId);
    await waitFor(
      'a start and an end event of every claim on JetStream',
      async () => {
        stored = await storedEvents(platform);
        return [...claims.keys()].every((claimId) => {
          const seen = new Set(ofClaim(claimId).map((event) => event.type));
          return (
            (seen.has('claim.requested') || seen.has('tenant.claimed')) &&
            (seen.has('tenant.released') || seen.has('claim.cancelled'))
          );
        });
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const invalidEvents: string[] = [];
    for (const [claimId, userId] of claims) {
      for (const event of ofClaim(claimId)) {
        const error = validateEvent(event.type, event.data);
        if (error) invalidEvents.push(`${event.type} of ${JSON.stringify(userId)}: ${error}`);
        if ('userId' in event.data) expect(event.data.userId, event.type).toBe(userId);
      }
    }
    expect(invalidEvents).toEqual([]);

    // The just-invalid neighbours are refused before anything is written or published.
    for (const userId of invalid) {
      const refused = await api(platform, 'POST', '/v1/claims', { labId: 'edge', userId, sshPublicKey });
      expect([refused.status, userId]).toEqual([400, userId]);
    }
    const after = await storedEvents(platform);
    expect(after.filter((event) => invalid.includes(event.data.userId as string))).toEqual([]);
  });

  it('gives the same answer over NATS: the edge user ids claim and release, the invalid ones are refused', async () => {
    const platform = await platforms.start({
      labs: [testLab('edge-nats', { minReady: 1, maxTotal: 2 })],
      simulator: { bootMs: 200 },
    });
    await waitForPoolsFull(platform);
    const nc = await connect({ servers: platform.env.NATS_URL });
    const request = async (command: string, body: unknown) =>
      (await nc.request(`${platform.instance}.${command}`, JSON.stringify(body), { timeout: 5000 })).json<
        Record<string, unknown>
      >();
    try {
      const { valid, invalid } = edgeValues(fieldRules.userId);
      for (const userId of ['ada+k8s@example.org', ...valid.filter((value) => /[^A-Za-z0-9]/.test(value))]) {
        const created = await request('cmd.claim.create', { labId: 'edge-nats', userId, sshPublicKey });
        expect(validateCommandReply('cmd.claim.create', created), userId).toBeNull();
        expect(created, userId).toMatchObject({ userId });
        const released = await request('cmd.claim.release', { claimId: created.id, userId });
        expect(released, userId).toMatchObject({ id: created.id });
      }
      for (const userId of invalid) {
        const refused = await request('cmd.claim.create', { labId: 'edge-nats', userId, sshPublicKey });
        expect(refused, JSON.stringify(userId)).toHaveProperty('error');
        const http = await api(platform, 'POST', '/v1/claims', { labId: 'edge-nats', userId, sshPublicKey });
        expect(http.status, JSON.stringify(userId)).toBe(400);
      }
    } finally {
      await nc.close();
    }
  });
});
