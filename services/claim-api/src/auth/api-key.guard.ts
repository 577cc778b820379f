// Authenticates `Authorization: Bearer <key>` and checks the route's scope. `admin` implies `claim`. A client (source
// address, see clientKeyOf) that keeps sending keys that do not verify is answered 429 with Retry-After.
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
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@kubelabs/domain';
import type { ApiKeyScope } from '@kubelabs/persistence';
import { ProblemDetails } from '../problem/problem-details';
import { ApiKeys, type Caller } from './api-keys';
import { clientKeyOf } from './client-key';
import { retryAfterSeconds } from './failed-auth-limiter';

const scopeKey = 'kubelabs:scope';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { caller?: Caller }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError('auth.unauthenticated', 'an API key is required: Authorization: Bearer <key>');
    const verification = await this.apiKeys.verify(match[1]!, clientKeyOf(request.ip));
    if (verification.outcome === 'rate_limited') {
      const seconds = retryAfterSeconds(verification.retryAfterMs);
      void http.getResponse<FastifyReply>().header('Retry-After', String(seconds));
      throw new DomainError(
        'auth.rate_limited',
        `too many API keys from this address did not verify; retry after ${seconds} s`,
        { retryAfterSeconds: seconds },
      );
    }
    if (verification.outcome === 'unknown')
      throw new DomainError('auth.unauthenticated', 'the API key is unknown or revoked');
    const caller = verification.caller;
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
    ApiTooManyRequestsResponse({
      type: ProblemDetails,
      description: 'Too many API keys from this address did not verify; retry after Retry-After seconds',
      headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } },
    }),
  );

export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  return context.switchToHttp().getRequest<{ caller: Caller }>().caller;
});

export function isAdmin(caller: Caller): boolean {
  return caller.scopes.includes('admin');
}
