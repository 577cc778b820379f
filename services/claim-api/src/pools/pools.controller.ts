// Operators' view of the warm pools: per lab and version, ready, provisioning and claimed tenants against the
// pool's minimum and maximum, waiting claims, and any capacity shortfall the pool manager reported.
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { poolKey, poolSettingsFor } from '@kubelabs/domain';
import { Persistence } from '@kubelabs/persistence';
import { RequireScope } from '../auth/api-key.guard';
import { LabCatalog } from '../labs/lab-catalog';

export class PoolView {
  @ApiProperty({ example: 'flask-debugging' }) labId!: string;
  @ApiProperty({ example: '1.36' }) kubernetesVersion!: string;
  @ApiProperty() minReady!: number;
  @ApiProperty() maxTotal!: number;
  @ApiProperty() ready!: number;
  @ApiProperty() provisioning!: number;
  @ApiProperty() claimed!: number;
  @ApiProperty({ description: 'Claims waiting for a tenant' }) pending!: number;
  @ApiProperty({ description: 'Tenants wanted but not allowed by host capacity' }) capacityShortfall!: number;
  @ApiPropertyOptional() message?: string;
}

@ApiTags('pools')
@RequireScope('admin')
@Controller('v1/pools')
export class PoolsController {
  constructor(
    private readonly labs: LabCatalog,
    private readonly db: Persistence,
  ) {}

  @Get()
  @ApiOkResponse({ type: [PoolView] })
  async list(): Promise<PoolView[]> {
    const [labs, tenantRows, pendingRows, statuses] = await Promise.all([
      this.labs.list(),
      this.db.tenants
        .aggregate<{ _id: { pool: string; state: string }; n: number }>([
          { $match: { state: { $in: ['ready', 'provisioning', 'claimed'] } } },
          { $group: { _id: { pool: '$poolKey', state: '$state' }, n: { $sum: 1 } } },
        ])
        .exec(),
      this.db.claims
        .aggregate<{ _id: string; n: number }>([
          { $match: { state: 'pending' } },
          { $group: { _id: '$poolKey', n: { $sum: 1 } } },
        ])
        .exec(),
      this.db.poolStatus.find().lean().exec(),
    ]);
    const count = (pool: string, state: string): number =>
      tenantRows.find((r) => r._id.pool === pool && r._id.state === state)?.n ?? 0;
    const status = new Map(statuses.map((s) => [s._id, s]));
    return labs.flatMap((lab) =>
      lab.kubernetesVersions.map((kubernetesVersion) => {
        const key = poolKey(lab.id, kubernetesVersion);
        const settings = poolSettingsFor(lab, kubernetesVersion);
        const reported = status.get(key);
        return {
          labId: lab.id,
          kubernetesVersion,
          minReady: settings.minReady,
          maxTotal: settings.maxTotal,
          ready: count(key, 'ready'),
          provisioning: count(key, 'provisioning'),
          claimed: count(key, 'claimed'),
          pending: pendingRows.find((r) => r._id === key)?.n ?? 0,
          capacityShortfall: reported?.capacityShortfall ?? 0,
          ...(reported?.message ? { message: reported.message } : {}),
        };
      }),
    );
  }
}
