// The provisioner: renders and applies each tenant's namespace, Secrets, VirtualMachines and Services, watches them
// become a ready Kubernetes cluster, and tears them down.
import { Module } from '@nestjs/common';
import { ProvisionerLoop } from './provisioner-loop';
import { TenantEventsController } from './tenant-events.controller';

@Module({ controllers: [TenantEventsController], providers: [ProvisionerLoop] })
export class ProvisionerModule {}
