// Events that concern one tenant reconcile it at once; the handler acks after that pass. Redeliveries and duplicates
// only cause another, harmless pass.
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TerminalEventError } from '@kubelabs/messaging';
import { ProvisionerLoop } from './provisioner-loop';

export const provisionerConsumer = {
  durable: 'provisioner',
  filterSubjects: ['tenant.provision.requested', 'tenant.claimed', 'tenant.released'],
  ackWaitMs: 30_000,
};

@Controller()
export class TenantEventsController {
  constructor(private readonly loop: ProvisionerLoop) {}

  @EventPattern<string[]>(provisionerConsumer.filterSubjects)
  async onTenantEvent(@Payload() data: { tenantId?: unknown }): Promise<void> {
    if (typeof data?.tenantId !== 'string')
      throw new TerminalEventError('messaging.invalid_event', 'event has no tenantId');
    await this.loop.reconcileTenant(data.tenantId);
  }
}
