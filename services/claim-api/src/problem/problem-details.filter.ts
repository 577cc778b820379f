// Maps every error leaving a controller to application/problem+json: domain errors by code, Nest/Fastify HTTP
// errors by status, validation failures as 400 with per-field messages, and anything unknown as a 500 that leaks
// no internals (the cause is logged, not returned).
import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { throwError, type Observable } from 'rxjs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@kubelabs/domain';
import { problemContentType, problemTypeBase, statusOfCode, type ProblemDetails } from './problem-details';

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(error: unknown, host: ArgumentsHost): void | Observable<never> {
    // NATS commands and events: hand the error to the transport unchanged (it replies or dead-letters with it).
    if (host.getType() !== 'http') return throwError(() => error);
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = this.toProblem(error, request.url);
    if (problem.status >= 500) this.logger.error({ err: error, url: request.url }, 'unhandled error');
    if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="kubelabs"');
    // A domain error that says when to come back (a check run in progress, access being opened) sets Retry-After.
    const retryAfter = error instanceof DomainError ? error.details?.retryAfterSeconds : undefined;
    if (typeof retryAfter === 'number' && retryAfter > 0) reply.header('Retry-After', String(Math.ceil(retryAfter)));
    void reply.status(problem.status).header('Content-Type', problemContentType).send(problem);
  }

  private toProblem(error: unknown, instance: string): ProblemDetails {
    const path = instance.split('?')[0];
    if (error instanceof DomainError) {
      const status = statusOfCode[error.code] ?? 400;
      return {
        type: problemTypeBase + error.code,
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail: error.message,
        instance: path,
        code: error.code,
      };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const messages = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
      const errors = Array.isArray(messages) ? messages.map(String) : undefined;
      const detail = errors ? errors.join('; ') : typeof messages === 'string' ? messages : error.message;
      const code = status === 400 ? 'input.invalid' : status === 404 ? 'route.not_found' : `http.${status}`;
      return {
        type: problemTypeBase + code,
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail,
        instance: path,
        code,
        ...(errors ? { errors } : {}),
      };
    }
    // Fastify's own errors (bad JSON, body too large, unsupported media type) carry a 4xx statusCode.
    const fastifyStatus = (error as { statusCode?: number })?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return {
        type: problemTypeBase + 'input.invalid',
        title: STATUS_CODES[fastifyStatus] ?? 'Bad Request',
        status: fastifyStatus,
        detail: (error as Error).message,
        instance: path,
        code: 'input.invalid',
      };
    }
    return {
      type: problemTypeBase + 'internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'an unexpected error occurred; it has been logged',
      instance: path,
      code: 'internal',
    };
  }
}
