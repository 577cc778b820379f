// Authenticates `Authorization: Bearer <key>` and checks the route's scope. `admin` implies `claim`.
import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { DomainError } from '@kubelabs/domain';
import type { ApiKeyScope } from '@kubelabs/persistence';
import { ProblemDetails } from '../problem/problem-details';
import { ApiKeys, type Caller } from './api-keys';

const scopeKey = 'kubelabs:scope';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; caller?: Caller }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError('auth.unauthenticated', 'an API key is required: Authorization: Bearer <key>');
    const caller = await this.apiKeys.verify(match[1]!);
    if (!caller) throw new DomainError('auth.unauthenticated', 'the API key is unknown or revoked');
    const needed =
      this.reflector.get<ApiKeyScope>(scopeKey, context.getHandler()) ??
      this.reflector.get<ApiKeyScope>(scopeKey, context.getClass());
    if (needed && !caller.scopes.includes(needed) && !caller.scopes.includes('admin')) {
      throw new DomainError('auth.forbidden', `this API key lacks the '${needed}' scope`);
    }
    request.caller = caller;
    return true;
  }
}

/** Requires a valid API key with `scope` (admin keys pass every scope). */
export const RequireScope = (scope: ApiKeyScope) =>
  applyDecorators(
    SetMetadata(scopeKey, scope),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ProblemDetails, description: 'No or bad API key' }),
    ApiForbiddenResponse({ type: ProblemDetails, description: 'The API key lacks the scope' }),
  );

export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  return context.switchToHttp().getRequest<{ caller: Caller }>().caller;
});

export function isAdmin(caller: Caller): boolean {
  return caller.scopes.includes('admin');
}
