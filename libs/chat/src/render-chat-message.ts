// What a student is told, decided once for every chat provider: a provider-neutral ChatMessage per platform event and
// per command outcome. The Slack and Discord renderers only change its shape (blocks, components).
import type {
  ClaimAccess,
  ClaimCancelled,
  ClaimExtended,
  TenantClaimed,
  TenantExpiring,
  TenantExposureSynced,
  TenantExposureOpened,
  TenantProvisioning,
  TenantReleased,
} from '@kubelabs/contracts';

export type ChatActionKind = 'extend' | 'release';
export interface ChatAction {
  kind: ChatActionKind;
  claimId: string;
}

export interface ChatMessage {
  /** One line: the news itself (also Slack's notification text). */
  text: string;
  /** Further lines; `code` spans are kept by every provider. */
  lines: string[];
  /** Shown once and preformatted (the generated SSH private key); only ever sent in a direct message. */
  secret?: { label: string; value: string };
  actions: ChatAction[];
}

/** A claim as the claim API shows it to its owner (the fields the messages use). */
export interface ChatClaim {
  id: string;
  state: 'pending' | 'active' | 'released' | 'expired' | 'cancelled';
  labId: string;
  userId: string;
  kubernetesVersion: string;
  tenantId?: string;
  expiresAt?: string;
  queuePosition?: number;
  access?: ClaimAccess;
  sshPrivateKey?: string;
}

export interface ChatLab {
  id: string;
  title: string;
  level: string;
  durationMinutes: number;
  versions: { kubernetesVersion: string; ready: number }[];
}

/** The events a chat adapter turns into direct messages, with their contract payloads. */
export type ChatEvent =
  | { type: 'tenant.claimed'; data: TenantClaimed }
  | { type: 'tenant.provisioning'; data: TenantProvisioning }
  | { type: 'tenant.exposure.opened'; data: TenantExposureOpened }
  | { type: 'tenant.expiring'; data: TenantExpiring }
  | { type: 'claim.extended'; data: ClaimExtended }
  | { type: 'tenant.released'; data: TenantReleased }
  | { type: 'claim.cancelled'; data: ClaimCancelled }
  | { type: 'tenant.exposure.synced'; data: TenantExposureSynced };

export const chatEventTypes: ChatEvent['type'][] = [
  'tenant.claimed',
  'tenant.provisioning',
  'tenant.exposure.opened',
  'tenant.expiring',
  'claim.extended',
  'tenant.released',
  'claim.cancelled',
  'tenant.exposure.synced',
];

const provisioningSteps: TenantProvisioning['step'][] = [
  'namespace',
  'secrets',
  'virtual-machines',
  'services',
  'booting',
  'control-plane-ready',
  'nodes-ready',
];

/** Steps worth a message to a waiting student (the others follow each other within a second). */
export const notableProvisioningSteps: ReadonlySet<TenantProvisioning['step']> = new Set([
  'virtual-machines',
  'booting',
  'nodes-ready',
]);

const releaseReasons: Record<TenantReleased['reason'], string> = {
  user: 'you released it',
  expired: 'its time ran out',
  admin: 'an operator removed it',
  failed: 'it failed',
  garbage: 'the lab was retired',
  deadline: 'it was not ready in time',
};

/** "14:05 UTC" */
export function renderTime(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

export function renderAccessLines(claimId: string, access: ClaimAccess | undefined): string[] {
  if (!access || access.state !== 'open' || !access.ssh)
    return ['Its public addresses are being opened; they follow in a message here.'];
  const lines = [`SSH: \`${access.ssh.command}\``];
  if (access.api) lines.push(`Kubernetes API: \`${access.api.server}\``);
  lines.push(
    `kubeconfig: \`GET ${access.kubeconfig.path}\` on the claim API (or ask your teacher) · claim \`${claimId}\``,
  );
  return lines;
}

/**
 * The message for one event, given the claim it concerns (as its owner sees it now) when the adapter looked it up.
 * Undefined when the event tells this student nothing (a provisioning step of no note).
 */
export function renderEventMessage(event: ChatEvent, claim?: ChatClaim): ChatMessage | undefined {
  const lab = claim ? `*${claim.labId}*` : 'your lab';
  switch (event.type) {
    case 'tenant.claimed':
      return {
        text: `Your lab *${event.data.labId}* (Kubernetes ${event.data.kubernetesVersion}) is ready, until ${renderTime(event.data.expiresAt)}.`,
        lines: renderAccessLines(event.data.claimId, claim?.access ?? event.data.access),
        actions: [
          { kind: 'extend', claimId: event.data.claimId },
          { kind: 'release', claimId: event.data.claimId },
        ],
      };
    case 'tenant.provisioning': {
      if (!notableProvisioningSteps.has(event.data.step)) return undefined;
      const n = provisioningSteps.indexOf(event.data.step) + 1;
      const place = claim?.queuePosition ? ` You are number ${claim.queuePosition} in the queue.` : '';
      return {
        text: `A *${event.data.labId}* cluster is being built: step ${n} of ${provisioningSteps.length}, ${event.data.step}.${place}`,
        lines: [],
        actions: claim ? [{ kind: 'release', claimId: claim.id }] : [],
      };
    }
    case 'tenant.exposure.opened':
      return {
        text: `${capitalize(lab)} is reachable from outside now.`,
        lines: claim?.access
          ? renderAccessLines(claim.id, claim.access)
          : [`Open ports: ${event.data.ports.join(', ')}${event.data.host ? ` on \`${event.data.host}\`` : ''}`],
        actions: [],
      };
    case 'tenant.expiring':
      return {
        text: `${capitalize(lab)} expires in ${event.data.minutesLeft} min (${renderTime(event.data.expiresAt)}). Extend it to keep working.`,
        lines: [],
        actions: [
          { kind: 'extend', claimId: event.data.claimId },
          { kind: 'release', claimId: event.data.claimId },
        ],
      };
    case 'claim.extended':
      return {
        text: `${capitalize(lab)} now runs until ${renderTime(event.data.expiresAt)}.`,
        lines: [],
        actions: [],
      };
    case 'tenant.released':
      return {
        text: `Your lab *${event.data.labId}* was released: ${releaseReasons[event.data.reason]}. Its cluster is being deleted.`,
        lines: [],
        actions: [],
      };
    case 'claim.cancelled':
      return {
        text: `Your place in the queue for *${event.data.labId}* was given up.`,
        lines: [],
        actions: [],
      };
    case 'tenant.exposure.synced': {
      const what = `Your ${event.data.kind} \`${event.data.namespace}/${event.data.name}\` in ${lab}`;
      if (event.data.state === 'rejected')
        return {
          text: `${what} is not published: ${event.data.message ?? event.data.reason ?? 'refused'}`,
          lines: [],
          actions: [],
        };
      const addresses = (event.data.addresses ?? []).map(
        (a) => `port ${a.port}/${a.protocol}: \`${a.host}:${a.publicPort}\``,
      );
      const hosts = (event.data.hosts ?? []).map((h) =>
        h.requested && h.requested !== h.host ? `\`${h.host}\` (you asked for \`${h.requested}\`)` : `\`${h.host}\``,
      );
      return {
        text: `${what} is reachable from outside${event.data.message ? ` (${event.data.message})` : ''}:`,
        lines: [...addresses, ...hosts],
        actions: [],
      };
    }
  }
}

/** The answer to `/lab start`: the claim as created, with the generated private key when there is one. */
export function renderClaimStarted(claim: ChatClaim): ChatMessage {
  const key = claim.sshPrivateKey
    ? {
        secret: {
          label: 'Your SSH private key, shown only this once (save it as `~/.ssh/kubelabs` and `chmod 600` it):',
          value: claim.sshPrivateKey,
        },
      }
    : {};
  if (claim.state === 'pending')
    return {
      text: `No *${claim.labId}* cluster is free right now: you are number ${claim.queuePosition ?? '?'} in the queue. You will get a message when yours is ready.`,
      lines: [`claim \`${claim.id}\``],
      ...key,
      actions: [{ kind: 'release', claimId: claim.id }],
    };
  return {
    text: `Claimed *${claim.labId}* (Kubernetes ${claim.kubernetesVersion}), until ${claim.expiresAt ? renderTime(claim.expiresAt) : '?'}.`,
    lines: [`claim \`${claim.id}\``],
    ...key,
    actions: [],
  };
}

export function renderStatus(claims: ChatClaim[]): ChatMessage {
  const live = claims.filter((c) => c.state === 'active' || c.state === 'pending');
  if (live.length === 0)
    return { text: 'You hold no lab. `/lab list` shows what you can start.', lines: [], actions: [] };
  const claim = live[0]!;
  if (claim.state === 'pending')
    return {
      text: `You are number ${claim.queuePosition ?? '?'} in the queue for *${claim.labId}*.`,
      lines: [`claim \`${claim.id}\``],
      actions: [{ kind: 'release', claimId: claim.id }],
    };
  return {
    text: `You hold *${claim.labId}* (Kubernetes ${claim.kubernetesVersion}) until ${claim.expiresAt ? renderTime(claim.expiresAt) : '?'}.`,
    lines: renderAccessLines(claim.id, claim.access),
    actions: [
      { kind: 'extend', claimId: claim.id },
      { kind: 'release', claimId: claim.id },
    ],
  };
}

export function renderLabList(labs: ChatLab[]): ChatMessage {
  if (labs.length === 0) return { text: 'The catalog is empty.', lines: [], actions: [] };
  return {
    text: `${labs.length} lab${labs.length === 1 ? '' : 's'} to start with \`/lab start <lab> [version]\`:`,
    lines: labs.map(
      (lab) =>
        `\`${lab.id}\` ${lab.title} (${lab.level}, ${lab.durationMinutes} min; ` +
        lab.versions.map((v) => `${v.kubernetesVersion}: ${v.ready} ready`).join(', ') +
        ')',
    ),
    actions: [],
  };
}

export function renderNotice(text: string, lines: string[] = []): ChatMessage {
  return { text, lines, actions: [] };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
