// Server-sent progress of one claim: its state first, then every platform event that concerns it (its pool's
// provisioning while it waits, activation, exposure, expiry notice, release), and a `claim.<state>` event (the claim
// view) each time its state changes. When the claim turns active, `claim.active` carries the claim view with its
// access; if the public endpoints were still opening then, a second `claim.active` follows once they are open. Ends on
// every terminal state, with `claim.released`, `claim.expired` or `claim.cancelled` as its last event. Events make it
// fast; a periodic re-read of the claim makes it end even when an event was missed.
import { Injectable, Logger, OnModuleDestroy, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { ClaimState } from '@kubelabs/domain';
import { Persistence, type ClaimDocument } from '@kubelabs/persistence';
import { EventTap, type TappedEvent } from '../../event-tap';
import { ManageClaims } from '../manage-claims';

const heartbeatMs = 15_000;
/** How often an open stream re-reads its claim, so that it ends within this long of a missed terminal event. */
export const stateRecheckMs = 3_000;
const maxStreamMs = 6 * 60 * 60_000;

export const terminalClaimStates: readonly ClaimState[] = ['released', 'expired', 'cancelled'];

/** Platform events after which the claim's state may have changed: the stream re-reads the claim at once. */
const stateChangingTypes = new Set(['tenant.claimed', 'tenant.exposure.opened', 'tenant.released', 'claim.cancelled']);

/** The SSE event name of a claim state: `claim.pending`, `claim.active`, `claim.released`, ... */
export function stateEventName(state: ClaimState): string {
  return `claim.${state}`;
}

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

/**
 * What a `claim.<state>` event said: the state, and for an active claim whether its access was `opening` or `open`
 * (`active:opening`, `active:open`), so the view is sent again when the public endpoints open.
 */
export type ProgressMark = string;

export function progressMark(view: { state: ClaimState; access?: { state: string } }): ProgressMark {
  return view.access ? `${view.state}:${view.access.state}` : view.state;
}

export interface ProgressStep {
  /** Build the claim view and send it as `claim.<state>` if its mark differs from the last one sent. */
  readView: boolean;
  /** End the stream after that: the state is terminal. */
  end: boolean;
}

/**
 * What the stream does after reading the claim's state: build the view when the state changed (or the access was
 * still opening), end when the state is terminal.
 */
export function planProgress(lastSent: ProgressMark | undefined, current: ClaimState): ProgressStep {
  const lastState = lastSent?.split(':')[0];
  return {
    readView: lastSent === undefined || lastState !== current || lastSent === 'active:opening',
    end: terminalClaimStates.includes(current),
  };
}

/**
 * Whether a platform event goes to the client as it is. An event named like a claim state (`claim.cancelled`) is
 * not: the `claim.<state>` event with the claim view stands for it, so each name means one shape.
 */
export function forwardsEvent(event: TappedEvent): boolean {
  return !(event.type.startsWith('claim.') && (terminalClaimStates as string[]).includes(event.type.slice(6)));
}

@Injectable()
export class ClaimProgress implements OnModuleDestroy {
  private readonly logger = new Logger('ClaimProgress');
  private readonly open = new Set<() => void>();

  constructor(
    private readonly tap: EventTap,
    private readonly claims: ManageClaims,
    private readonly db: Persistence,
  ) {}

  stream(claim: ClaimDocument, { recheckMs = stateRecheckMs }: { recheckMs?: number } = {}): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let tenantId = claim.tenantId;
      let sentMark: ProgressMark | undefined;
      /** Events tapped before the first state was sent: they follow it, so the stream always opens with the state. */
      const early: MessageEvent[] = [];
      let closed = false;
      let reading = false;
      let readAgain = false;

      const close = (): void => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        clearInterval(recheck);
        clearTimeout(lifetime);
        this.open.delete(close);
        subscriber.complete();
      };

      const sync = async (): Promise<void> => {
        const current = (await this.db.claims.findById(claim._id).lean().exec()) as ClaimDocument | null;
        if (closed) return;
        if (!current) {
          close(); // deleted under us: nothing more will happen to it
          return;
        }
        tenantId = current.tenantId ?? tenantId;
        const step = planProgress(sentMark, current.state);
        if (step.readView) {
          const view = await this.claims.view(current);
          if (closed) return;
          const mark = progressMark(view);
          if (mark !== sentMark) {
            const first = sentMark === undefined;
            sentMark = mark;
            subscriber.next({ type: stateEventName(view.state), id: `${claim._id}:${mark}`, data: view });
            if (first && !step.end) for (const event of early.splice(0)) subscriber.next(event);
          }
        }
        if (step.end) close();
      };

      /** One read at a time; a request during a read runs one more read after it, so no change is skipped. */
      const resync = (): void => {
        if (closed) return;
        if (reading) {
          readAgain = true;
          return;
        }
        reading = true;
        sync()
          .catch((error: unknown) => {
            if (closed) return;
            // Before the first state there is nothing to show: fail the stream. After it, the next period retries.
            if (sentMark === undefined) subscriber.error(error);
            else this.logger.warn({ err: error, claimId: claim._id }, 'claim re-read failed; retrying next period');
          })
          .finally(() => {
            reading = false;
            if (readAgain) {
              readAgain = false;
              resync();
            }
          });
      };

      const unsubscribe = this.tap.subscribe((event) => {
        if (closed || !concernsClaim(event, claim, tenantId)) return;
        const data = event.data as Record<string, unknown>;
        if (event.type === 'tenant.claimed' && typeof data.tenantId === 'string') tenantId = data.tenantId;
        if (forwardsEvent(event)) {
          const message: MessageEvent = { type: event.type, id: event.id, data: data as object };
          if (sentMark === undefined) early.push(message);
          else subscriber.next(message);
        }
        if (stateChangingTypes.has(event.type)) resync();
      });
      const heartbeat = setInterval(
        () => subscriber.next({ type: 'heartbeat', data: { at: new Date().toISOString() } }),
        heartbeatMs,
      );
      const recheck = setInterval(resync, recheckMs);
      const lifetime = setTimeout(close, maxStreamMs);
      this.open.add(close);
      // The first read comes after subscribing, so nothing between the read and the subscription is missed.
      resync();
      return close;
    });
  }

  onModuleDestroy(): void {
    for (const close of this.open) close();
  }
}
