// The catalog over HTTP: anyone with a key reads it (with how many tenants are ready now per version).
import { fieldRules } from '@kubelabs/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { parseLabObject, upsertLabs } from '@kubelabs/catalog';
import { defaultExtensionStepMinutes, DomainError, type Lab } from '@kubelabs/domain';
import { Persistence } from '@kubelabs/persistence';
import { RequireScope } from '../auth/api-key.guard';
import { ProblemDetails } from '../problem/problem-details';
import { LabCatalog } from './lab-catalog';

export class LabIdParam {
  @ApiProperty({ example: 'flask-debugging', pattern: fieldRules.labId.pattern })
  @Matches(fieldRules.labId.regex, { message: 'id must be a lab slug (a-z, 0-9, -)' })
  id!: string;
}

export class LabVersionView {
  @ApiProperty({ example: '1.36' }) kubernetesVersion!: string;
  @ApiProperty({ example: 2, description: 'Tenants ready to be claimed right now' }) ready!: number;
}

export class LabView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ['beginner', 'intermediate', 'advanced'] }) level!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: [String] }) hints!: string[];
  @ApiProperty({ type: [LabVersionView] }) versions!: LabVersionView[];
  @ApiProperty({
    example: { controlPlane: { cpu: 2, memoryMiB: 1536 }, workers: { count: 1, cpu: 1, memoryMiB: 1024 } },
  })
  topology!: Lab['topology'];
  @ApiProperty({ example: 90 }) durationMinutes!: number;
  @ApiProperty({ example: 30 }) maxExtensionMinutes!: number;
  @ApiProperty({ example: 15, description: 'What one extension without a number adds' })
  extensionStepMinutes!: number;
  @ApiPropertyOptional() image?: string;
}

export async function readyCounts(db: Persistence): Promise<Map<string, number>> {
  const rows = await db.tenants
    .aggregate<{ _id: string; n: number }>([
      { $match: { state: 'ready' } },
      { $group: { _id: '$poolKey', n: { $sum: 1 } } },
    ])
    .exec();
  return new Map(rows.map((row) => [row._id, row.n]));
}

export function toLabView(lab: Lab, ready: Map<string, number>): LabView {
  return {
    id: lab.id,
    title: lab.title,
    description: lab.description,
    level: lab.level,
    tags: lab.tags,
    hints: lab.hints,
    versions: lab.kubernetesVersions.map((v) => ({ kubernetesVersion: v, ready: ready.get(`${lab.id}@${v}`) ?? 0 })),
    topology: lab.topology,
    durationMinutes: lab.session.durationMinutes,
    maxExtensionMinutes: lab.session.maxExtensionMinutes,
    extensionStepMinutes: lab.session.extensionStepMinutes ?? defaultExtensionStepMinutes,
    image: lab.image,
  };
}

@ApiTags('labs')
@RequireScope('claim')
@Controller('v1/labs')
export class LabsController {
  constructor(
    private readonly labs: LabCatalog,
    private readonly db: Persistence,
  ) {}

  @Get()
  @ApiOkResponse({ type: [LabView] })
  async list(): Promise<LabView[]> {
    const [labs, ready] = await Promise.all([this.labs.list(), readyCounts(this.db)]);
    return labs.map((lab) => toLabView(lab, ready));
  }

  @Get(':id')
  @ApiOkResponse({ type: LabView })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param() { id }: LabIdParam): Promise<LabView> {
    const [lab, ready] = await Promise.all([this.labs.get(id), readyCounts(this.db)]);
    return toLabView(lab, ready);
  }
}

/** Admin management of the catalog over HTTP; the body of PUT is a lab as in deploy/catalog/<id>.yaml, as JSON. */
@ApiTags('labs')
@RequireScope('admin')
@Controller('v1/labs')
export class LabAdminController {
  constructor(
    private readonly labs: LabCatalog,
    private readonly db: Persistence,
  ) {}

  @Put(':id')
  @ApiOperation({ summary: 'Create or replace a lab (validated like a catalog file: contracts/lab.schema.json)' })
  @ApiBody({ description: 'The lab, as in deploy/catalog/<id>.yaml', schema: { type: 'object' } })
  @ApiOkResponse({ type: LabView })
  async put(@Param() { id }: LabIdParam, @Body() body: unknown): Promise<LabView> {
    const parsed = parseLabObject(body, id);
    if ('errors' in parsed) {
      const messages = parsed.errors.map((e) => `${e.path || '/'} ${e.message}`);
      throw new DomainError('lab.invalid', messages.join('; '), { errors: messages });
    }
    await upsertLabs(this.db.labs, [parsed.lab]);
    this.labs.invalidate();
    return toLabView(parsed.lab, await readyCounts(this.db));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a lab: its idle tenants are retired; live claims run to their end' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async remove(@Param() { id }: LabIdParam): Promise<void> {
    const result = await this.db.labs.deleteOne({ _id: id }).exec();
    this.labs.invalidate();
    if (result.deletedCount === 0)
      throw new DomainError('lab.not_found', `no lab '${id}' in the catalog`, { labId: id });
  }
}
