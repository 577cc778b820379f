// A claim starts the syncer's watch on the tenant cluster; a release removes everything it exposed. Each event
// reconciles the tenant at once and is acked after that pass; duplicates only cause another, harmless pass.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TerminalEventError } from '@kubelabs/messaging';
import { SyncerLoop } from './syncer-loop';

export const syncerConsumer = {
  durable: 'syncer',
  filterSubjects: ['tenant.claimed', 'tenant.released'],
  ackWaitMs: 30_000,
};

@Controller()
export class TenantEventsController {
  constructor(private readonly loop: SyncerLoop) {}

  @EventPattern<string[]>(syncerConsumer.filterSubjects)
  async onTenantEvent(@Payload() data: { tenantId?: unknown }): Promise<void> {
    if (typeof data?.tenantId !== 'string')
      throw new TerminalEventError('messaging.invalid_event', 'event has no tenantId');
    await this.loop.reconcileTenant(data.tenantId);
  }
}
