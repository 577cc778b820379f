// Who hears about a platform event, and what: the pure planEventRecipients says where to look (the userId in the
// event, the claim it names, or this adapter's waiting/active claims of a pool or tenant); ChatNotifier looks, renders
// and hands each direct message to the adapter's sender. Claims made by other integrations are not visible with the
// adapter's key, so they are skipped without a word.
import type { ClaimApi } from './claim-api-client';
import { parseChatUserId, type ChatIdentity } from './chat-identity';
import { renderEventMessage, type ChatClaim, type ChatEvent, type ChatMessage } from './render-chat-message';

export type RecipientLookup =
  | { by: 'user-and-claim'; userId: string; claimId: string }
  | { by: 'claim'; claimId: string }
  | { by: 'waiting-claims'; labId: string; kubernetesVersion: string }
  | { by: 'tenant'; tenantId: string }
  | { by: 'nobody' };

export function planEventRecipients(event: ChatEvent): RecipientLookup {
  switch (event.type) {
    case 'tenant.claimed':
    case 'tenant.expiring':
    case 'claim.extended':
    case 'claim.cancelled':
      return { by: 'user-and-claim', userId: event.data.userId, claimId: event.data.claimId };
    case 'tenant.released':
    case 'tenant.exposure.opened':
      return event.data.claimId ? { by: 'claim', claimId: event.data.claimId } : { by: 'nobody' };
    case 'tenant.provisioning':
      return { by: 'waiting-claims', labId: event.data.labId, kubernetesVersion: event.data.kubernetesVersion };
    case 'tenant.exposure.synced':
      return { by: 'tenant', tenantId: event.data.tenantId };
  }
}

export interface Notice {
  identity: ChatIdentity;
  claim: ChatClaim;
  message: ChatMessage;
  /** Unique per (event, recipient): the sender's de-duplication key. */
  key: string;
}

export class ChatNotifier {
  private listed: { at: number; claims: Promise<ChatClaim[]> } | undefined;

  constructor(
    private readonly api: ClaimApi,
    private readonly provider: ChatIdentity['provider'],
    /** How long one list of this adapter's claims answers every event that needs it (bursts of provisioning steps). */
    private readonly listCacheMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The direct messages an event calls for (none when it concerns nobody on this provider). */
  async noticesFor(event: ChatEvent, eventId: string): Promise<Notice[]> {
    const lookup = planEventRecipients(event);
    if (lookup.by === 'user-and-claim' && parseChatUserId(lookup.userId)?.provider !== this.provider) return [];
    const claims = await this.claimsFor(lookup);
    const notices: Notice[] = [];
    for (const claim of claims) {
      const identity = parseChatUserId(claim.userId);
      if (identity?.provider !== this.provider) continue;
      const message = renderEventMessage(event, claim);
      if (message) notices.push({ identity, claim, message, key: `${eventId}:${claim.id}` });
    }
    return notices;
  }

  private async claimsFor(lookup: RecipientLookup): Promise<ChatClaim[]> {
    switch (lookup.by) {
      case 'nobody':
        return [];
      case 'user-and-claim':
      case 'claim': {
        const claim = await this.api.getClaim(lookup.claimId);
        return claim ? [claim] : [];
      }
      case 'waiting-claims':
        return (await this.ownClaims()).filter(
          (c) => c.state === 'pending' && c.labId === lookup.labId && c.kubernetesVersion === lookup.kubernetesVersion,
        );
      case 'tenant':
        return (await this.ownClaims()).filter((c) => c.state === 'active' && c.tenantId === lookup.tenantId);
    }
  }

  private ownClaims(): Promise<ChatClaim[]> {
    const now = this.now();
    if (!this.listed || now - this.listed.at > this.listCacheMs) {
      const claims = this.api.listClaims();
      this.listed = { at: now, claims };
      claims.catch(() => (this.listed = undefined));
    }
    return this.listed.claims;
  }
}
