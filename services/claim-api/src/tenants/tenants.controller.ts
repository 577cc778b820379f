// Operators' view of single tenants: state, provisioning step, failure reason and the conditions the provisioner
// observed on its last passes (Kubernetes-style: type, status, reason, message, lastTransitionTime). Admin only.
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DomainError, tenantStates, type TenantState } from '@kubelabs/domain';
import { fieldRules } from '@kubelabs/contracts';
import { Persistence, type TenantDocument } from '@kubelabs/persistence';
import { RequireScope } from '../auth/api-key.guard';

export class TenantIdParam {
  @ApiProperty({ example: 't-flask-debugging-7f3a9c2e', pattern: fieldRules.tenantId.pattern })
  @Matches(fieldRules.tenantId.regex, { message: 'id must be a tenant id like t-flask-debugging-7f3a9c2e' })
  id!: string;
}

export class ListTenantsQuery {
  @ApiPropertyOptional({ example: 'flask-debugging', pattern: fieldRules.labId.pattern })
  @IsOptional()
  @Matches(fieldRules.labId.regex, { message: 'labId must be a lab id (a-z, 0-9, -)' })
  labId?: string;

  @ApiPropertyOptional({ enum: tenantStates })
  @IsOptional()
  @IsIn(tenantStates, { message: `state must be one of ${tenantStates.join(', ')}` })
  state?: TenantState;
}

export class TenantConditionView {
  @ApiProperty({ example: 'Ready' }) type!: string;
  @ApiProperty({ enum: ['True', 'False', 'Unknown'] }) status!: string;
  @ApiProperty({ example: 'Booting' }) reason!: string;
  @ApiProperty({ example: '1/2 virtual machines running' }) message!: string;
  @ApiProperty({ format: 'date-time' }) lastTransitionTime!: string;
}

export class TenantView {
  @ApiProperty({ example: 't-flask-debugging-7f3a9c2e' }) id!: string;
  @ApiProperty({ example: 'flask-debugging' }) labId!: string;
  @ApiProperty({ example: '1.36' }) kubernetesVersion!: string;
  @ApiProperty({ example: 'kubelabs-t-flask-debugging-7f3a9c2e' }) namespace!: string;
  @ApiProperty({ enum: tenantStates }) state!: string;
  @ApiPropertyOptional({ example: 'booting' }) step?: string;
  @ApiPropertyOptional({ example: 'vm.boot_failed' }) failureReason?: string;
  @ApiPropertyOptional({ example: 'c-7f3a9c2e1b0d4a55' }) claimId?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) readyAt?: string;
  @ApiProperty({ type: [TenantConditionView] }) conditions!: TenantConditionView[];
}

function toTenantView(doc: TenantDocument): TenantView {
  return {
    id: doc._id,
    labId: doc.labId,
    kubernetesVersion: doc.kubernetesVersion,
    namespace: doc.namespace,
    state: doc.state,
    ...(doc.step ? { step: doc.step } : {}),
    ...(doc.failureReason ? { failureReason: doc.failureReason } : {}),
    ...(doc.claimId ? { claimId: doc.claimId } : {}),
    createdAt: doc.createdAt.toISOString(),
    ...(doc.readyAt ? { readyAt: doc.readyAt.toISOString() } : {}),
    conditions: (doc.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: new Date(c.lastTransitionTime).toISOString(),
    })),
  };
}

@ApiTags('tenants')
@RequireScope('admin')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly db: Persistence) {}

  @Get()
  @ApiOkResponse({ type: [TenantView], description: 'Live tenants (not deleted), newest first, at most 500' })
  async list(@Query() query: ListTenantsQuery): Promise<TenantView[]> {
    const filter: Record<string, unknown> = query.state ? { state: query.state } : { state: { $ne: 'deleted' } };
    if (query.labId) filter.labId = query.labId;
    const docs = (await this.db.tenants
      .find(filter)
      .sort({ createdAt: -1 })
      .limit(500)
      .lean()
      .exec()) as TenantDocument[];
    return docs.map(toTenantView);
  }

  @Get(':id')
  @ApiOkResponse({ type: TenantView })
  async get(@Param() params: TenantIdParam): Promise<TenantView> {
    const doc = (await this.db.tenants.findById(params.id).lean().exec()) as TenantDocument | null;
    if (!doc) throw new DomainError('tenant.not_found', `no tenant '${params.id}'`, { tenantId: params.id });
    return toTenantView(doc);
  }
}
