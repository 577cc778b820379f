// Admin management of API keys. A key is shown once, in the response that created it.
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { ApiKeyScope } from '@kubelabs/persistence';
import { RequireScope } from '../auth/api-key.guard';
import { ApiKeys } from '../auth/api-keys';
import { ProblemDetails } from '../problem/problem-details';

export class CreateApiKeyRequest {
  @ApiProperty({ example: 'slack-integration', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: ['claim', 'admin'], isArray: true, example: ['claim'], minItems: 1, uniqueItems: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(['claim', 'admin'], { each: true, message: "scopes must be 'claim' and/or 'admin'" })
  scopes!: ApiKeyScope[];
}

export class ApiKeyIdParam {
  @ApiProperty({ example: 'key-3f0c2a9e-5b7d-4c1a-9e2f-8a6b4d3c2e1f', pattern: '^key-[0-9a-f-]{36}$' })
  @Matches(/^key-[0-9a-f-]{36}$/, { message: 'id must be an API key id like key-<uuid>' })
  id!: string;
}

export class ApiKeyView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['claim', 'admin'], isArray: true }) scopes!: ApiKeyScope[];
  @ApiProperty({ description: 'First characters of the key, to recognise it' }) prefix!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ description: 'The key itself: shown once, stored only as a hash' }) key!: string;
}

@ApiTags('api-keys')
@RequireScope('admin')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeys) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  async create(@Body() body: CreateApiKeyRequest): Promise<CreatedApiKeyView> {
    const { key, doc } = await this.apiKeys.create(body.name, body.scopes);
    return {
      id: doc._id,
      name: doc.name,
      scopes: doc.scopes,
      prefix: doc.prefix,
      createdAt: doc.createdAt.toISOString(),
      key,
    };
  }

  @Get()
  @ApiOkResponse({ type: [ApiKeyView] })
  async list(): Promise<ApiKeyView[]> {
    const docs = await this.apiKeys.list();
    return docs
      .filter((d) => !d.revokedAt)
      .map((d) => ({
        id: d._id,
        name: d.name,
        scopes: d.scopes,
        prefix: d.prefix,
        createdAt: d.createdAt.toISOString(),
      }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The key is revoked' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async revoke(@Param() { id }: ApiKeyIdParam): Promise<void> {
    await this.apiKeys.revoke(id);
  }
}
