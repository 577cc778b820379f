// The pool manager: keeps every pool's warm reserve, hands new tenants to waiting claims, expires claims.
import { Module } from '@nestjs/common';
import { PoolEventsController } from './pool-events.controller';
import { PoolReconciler } from './reconcile-pools';

@Module({ controllers: [PoolEventsController], providers: [PoolReconciler] })
export class PoolManagerModule {}
