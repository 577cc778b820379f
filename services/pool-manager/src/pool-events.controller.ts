// Events that change a pool's picture make the reconciler run at once. The handlers only trigger a pass (which is
// idempotent), so a redelivered or duplicated event changes nothing.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PoolReconciler } from './reconcile-pools';

/** Events arriving within this window share one reconcile pass. */
const eventDebounceMs = 50;

export const poolManagerConsumer = {
  durable: 'pool-manager',
  filterSubjects: [
    'claim.requested',
    'claim.cancelled',
    'tenant.ready',
    'tenant.failed',
    'tenant.claimed',
    'tenant.released',
    'tenant.deleted',
  ],
};

@Controller()
export class PoolEventsController {
  constructor(private readonly reconciler: PoolReconciler) {}

  @EventPattern<string[]>(poolManagerConsumer.filterSubjects)
  async onPoolEvent(@Payload() _data: unknown): Promise<void> {
    await this.reconciler.trigger(eventDebounceMs);
  }
}
