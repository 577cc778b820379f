// Events that change what a tenant may reach or be reached by reconcile it at once; the handler acks after that pass.
// Duplicates and redeliveries only cause another, harmless pass.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TerminalEventError } from '@kubelabs/messaging';
import { EnforcerLoop } from './enforcer-loop';

export const enforcerConsumer = {
  durable: 'netpol-enforcer',
  filterSubjects: ['tenant.provision.requested', 'tenant.claimed', 'tenant.released'],
  ackWaitMs: 30_000,
};

@Controller()
export class TenantEventsController {
  constructor(private readonly loop: EnforcerLoop) {}

  @EventPattern<string[]>(enforcerConsumer.filterSubjects)
  async onTenantEvent(@Payload() data: { tenantId?: unknown }): Promise<void> {
    if (typeof data?.tenantId !== 'string')
      throw new TerminalEventError('messaging.invalid_event', 'event has no tenantId');
    await this.loop.reconcileTenant(data.tenantId);
  }
}
