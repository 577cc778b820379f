// Server-sent progress of one claim: its current state first, then every platform event that concerns it (its
// pool's provisioning while it waits, activation, expiry notice, release). Ends when the claim ends.
import { Injectable, OnModuleDestroy, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { Persistence, type ClaimDocument } from '@kubelabs/persistence';
import { EventTap, type TappedEvent } from '../../event-tap';
import { ManageClaims } from '../manage-claims';

const heartbeatMs = 15_000;
const maxStreamMs = 6 * 60 * 60_000;
const endingTypes = new Set(['tenant.released', 'claim.cancelled']);

export function concernsClaim(event: TappedEvent, claim: ClaimDocument, tenantId: string | undefined): boolean {
  const data = event.data as Record<string, unknown>;
  if (data.claimId === claim._id) return true;
  if (tenantId && data.tenantId === tenantId) return true;
  // While waiting, the pool's provisioning progress is the claim's progress.
  return (
    !tenantId &&
    event.type === 'tenant.provisioning' &&
    data.labId === claim.labId &&
    data.kubernetesVersion === claim.kubernetesVersion
  );
}

@Injectable()
export class ClaimProgress implements OnModuleDestroy {
  private readonly open = new Set<() => void>();

  constructor(
    private readonly tap: EventTap,
    private readonly claims: ManageClaims,
    private readonly db: Persistence,
  ) {}

  stream(claim: ClaimDocument): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let tenantId = claim.tenantId;
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        this.open.delete(close);
        subscriber.complete();
      };
      const unsubscribe = this.tap.subscribe((event) => {
        if (closed || !concernsClaim(event, claim, tenantId)) return;
        const data = event.data as Record<string, unknown>;
        if (event.type === 'tenant.claimed' && typeof data.tenantId === 'string') tenantId = data.tenantId;
        subscriber.next({ type: event.type, id: event.id, data: data as object });
        if (endingTypes.has(event.type)) close();
      });
      const heartbeat = setInterval(
        () => subscriber.next({ type: 'heartbeat', data: { at: new Date().toISOString() } }),
        heartbeatMs,
      );
      const lifetime = setTimeout(close, maxStreamMs);
      this.open.add(close);
      // Current state after subscribing, so nothing between the read and the subscription is missed.
      void this.db.claims
        .findById(claim._id)
        .lean()
        .exec()
        .then(async (current) => {
          if (!current || closed) return;
          tenantId = current.tenantId ?? tenantId;
          subscriber.next({ type: `claim.${current.state}`, data: await this.claims.view(current as ClaimDocument) });
          if (['released', 'expired', 'cancelled'].includes(current.state)) close();
        })
        .catch((error: unknown) => subscriber.error(error));
      return close;
    });
  }

  onModuleDestroy(): void {
    for (const close of this.open) close();
  }
}
