// Nest's default RPC exception filter turns every unknown error into "Internal server error" before a transport sees
// it. Registered on a microservice, this filter hands JetStream handlers' errors to the transport unchanged, so dead
// letters carry the real reason and command replies the domain error's code. Other transports are left as they were.
import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { CommandContext, JetStreamContext } from './jetstream-context';

@Catch()
export class JetStreamExceptionFilter extends BaseRpcExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const context: unknown = host.getType() === 'rpc' ? host.switchToRpc().getContext() : undefined;
    if (context instanceof JetStreamContext || context instanceof CommandContext) return throwError(() => exception);
    return super.catch(exception, host) as Observable<never>;
  }
}
