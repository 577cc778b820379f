// What students read for each event and command outcome; who is told about which event.
import { describe, expect, it } from 'vitest';
import { planEventRecipients } from './notify-chat-users';
import {
  renderClaimStarted,
  renderEventMessage,
  renderStatus,
  type ChatClaim,
  type ChatEvent,
} from './render-chat-message';

const openAccess = {
  state: 'open' as const,
  ssh: { host: 'labs.example.org', port: 30022, user: 'student', command: 'ssh -p 30022 student@labs.example.org' },
  api: { host: 'labs.example.org', port: 30443, server: 'https://labs.example.org:30443' },
  kubeconfig: { path: '/v1/claims/c-1/kubeconfig' },
};
const claim: ChatClaim = {
  id: 'c-1',
  state: 'active',
  labId: 'sandbox',
  userId: 'slack:T1:U1',
  kubernetesVersion: '1.36',
  tenantId: 't-1',
  expiresAt: '2026-12-07T15:30:00.000Z',
  access: openAccess,
};
const base = { tenantId: 't-1', claimId: 'c-1', userId: 'slack:T1:U1' };

describe('renderEventMessage', () => {
  it.each<{ event: ChatEvent; text: RegExp; actions: string[] }>([
    {
      event: {
        type: 'tenant.claimed',
        data: {
          ...base,
          labId: 'sandbox',
          kubernetesVersion: '1.36',
          claimedAt: '2026-12-07T14:30:00.000Z',
          expiresAt: '2026-12-07T15:30:00.000Z',
          access: { state: 'opening', kubeconfig: { path: '/v1/claims/c-1/kubeconfig' } },
        },
      },
      text: /sandbox.*is ready, until 15:30 UTC/,
      actions: ['extend', 'release'],
    },
    {
      event: { type: 'tenant.expiring', data: { ...base, expiresAt: '2026-12-07T15:30:00.000Z', minutesLeft: 5 } },
      text: /expires in 5 min \(15:30 UTC\)/,
      actions: ['extend', 'release'],
    },
    {
      event: { type: 'tenant.exposure.opened', data: { tenantId: 't-1', claimId: 'c-1', ports: [22] } },
      text: /reachable from outside/,
      actions: [],
    },
    {
      event: {
        type: 'tenant.released',
        data: {
          tenantId: 't-1',
          claimId: 'c-1',
          labId: 'sandbox',
          kubernetesVersion: '1.36',
          reason: 'expired',
          releasedAt: '2026-12-07T15:30:00.000Z',
        },
      },
      text: /released: its time ran out/,
      actions: [],
    },
    {
      event: { type: 'claim.extended', data: { ...base, expiresAt: '2026-12-07T15:45:00.000Z' } },
      text: /now runs until 15:45 UTC/,
      actions: [],
    },
  ])('$event.type', ({ event, text, actions }) => {
    const message = renderEventMessage(event, claim)!;
    expect(message.text).toMatch(text);
    expect(message.actions.map((a) => a.kind)).toEqual(actions);
    expect(message.secret).toBeUndefined();
  });

  it('gives the public addresses once the exposure is open, never before', () => {
    const opened = renderEventMessage(
      { type: 'tenant.exposure.opened', data: { tenantId: 't-1', ports: [22] } },
      claim,
    )!;
    expect(opened.lines.join('\n')).toContain('ssh -p 30022 student@labs.example.org');
    const opening = renderEventMessage(
      { type: 'tenant.exposure.opened', data: { tenantId: 't-1', ports: [22] } },
      { ...claim, access: { state: 'opening', kubeconfig: openAccess.kubeconfig } },
    )!;
    expect(opening.lines.join('\n')).not.toContain('ssh -p');
  });

  it('tells the public address of each exposed port and Ingress host, or why it was refused', () => {
    const service = { tenantId: 't-1', kind: 'Service' as const, name: 'web', namespace: 'default' };
    const synced = renderEventMessage(
      {
        type: 'tenant.exposure.synced',
        data: {
          ...service,
          hostName: 'web-x-default',
          state: 'synced',
          addresses: [{ port: 80, protocol: 'TCP', host: 'labs.example.org', publicPort: 31080 }],
        },
      },
      claim,
    )!;
    expect(synced.text).toMatch(/`default\/web` in .* is reachable from outside/);
    expect(synced.lines).toEqual(['port 80/TCP: `labs.example.org:31080`']);
    const ingress = renderEventMessage(
      {
        type: 'tenant.exposure.synced',
        data: {
          ...service,
          kind: 'Ingress',
          hostName: 'web-x-default',
          state: 'synced',
          hosts: [{ requested: 'evil.example.com', host: 'evil-example-com.t-1.labs.example.org' }],
        },
      },
      claim,
    )!;
    expect(ingress.lines).toEqual(['`evil-example-com.t-1.labs.example.org` (you asked for `evil.example.com`)']);
    const refused = renderEventMessage(
      {
        type: 'tenant.exposure.synced',
        data: {
          ...service,
          hostName: 'web-x-default',
          state: 'rejected',
          reason: 'exposure.limit',
          message: 'this lab allows 2 exposed Services',
        },
      },
      claim,
    )!;
    expect(refused.text).toMatch(/is not published: this lab allows 2 exposed Services/);
  });

  it.each([
    { step: 'namespace' as const, told: false },
    { step: 'booting' as const, told: true },
    { step: 'nodes-ready' as const, told: true },
  ])('tells a waiting student about provisioning step $step: $told', ({ step, told }) => {
    const message = renderEventMessage(
      {
        type: 'tenant.provisioning',
        data: { tenantId: 't-2', labId: 'sandbox', kubernetesVersion: '1.36', step, message: 'x' },
      },
      { ...claim, state: 'pending', queuePosition: 2 },
    );
    expect(message !== undefined).toBe(told);
    if (message) expect(message.text).toMatch(/number 2 in the queue/);
  });
});

describe('command outcomes', () => {
  it('hands the generated private key over only as the secret part, with the claim', () => {
    const message = renderClaimStarted({ ...claim, sshPrivateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nk\n' });
    expect(message.secret?.value).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(message.text).not.toContain('PRIVATE KEY');
  });

  it('tells a queued student their place', () => {
    expect(renderClaimStarted({ ...claim, state: 'pending', queuePosition: 3 }).text).toMatch(/number 3 in the queue/);
  });

  it.each([
    { claims: [], text: /hold no lab/ },
    { claims: [{ ...claim, state: 'released' as const }], text: /hold no lab/ },
    { claims: [claim], text: /You hold \*sandbox\*/ },
  ])('status of $claims.length claims', ({ claims, text }) => {
    expect(renderStatus(claims).text).toMatch(text);
  });
});

describe('planEventRecipients', () => {
  it.each<{ event: ChatEvent; by: string }>([
    {
      event: { type: 'tenant.expiring', data: { ...base, expiresAt: '2026-12-07T15:30:00.000Z', minutesLeft: 5 } },
      by: 'user-and-claim',
    },
    { event: { type: 'tenant.exposure.opened', data: { tenantId: 't-1', ports: [22] } }, by: 'nobody' },
    { event: { type: 'tenant.exposure.opened', data: { tenantId: 't-1', claimId: 'c-1', ports: [22] } }, by: 'claim' },
    {
      event: {
        type: 'tenant.provisioning',
        data: { tenantId: 't-1', labId: 'sandbox', kubernetesVersion: '1.36', step: 'booting', message: 'x' },
      },
      by: 'waiting-claims',
    },
    {
      event: {
        type: 'tenant.exposure.synced',
        data: {
          tenantId: 't-1',
          kind: 'Service',
          name: 'web',
          namespace: 'default',
          hostName: 'web-x-default',
          state: 'synced',
        },
      },
      by: 'tenant',
    },
  ])('$event.type looks up by $by', ({ event, by }) => {
    expect(planEventRecipients(event).by).toBe(by);
  });
});
