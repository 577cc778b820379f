// Request/reply commands over core NATS through a real Nest microservice and the JetStreamClientProxy.
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import {
  CommandContext,
  CommandError,
  JetStreamClientProxy,
  JetStreamExceptionFilter,
  JetStreamServer,
  MessagingError,
} from '@kubelabs/messaging';
import { gate, ownTopology, type OwnTopology } from './testing/own-topology';

class PoolExhaustedError extends Error {
  readonly code = 'pool.exhausted';
}

let slowCommand = gate();

@Controller()
class ClaimCommands {
  @MessagePattern('cmd.claim.create')
  create(@Payload() data: { labId: string; user: string }, @Ctx() ctx: CommandContext) {
    if (data.labId === 'empty-pool') throw new PoolExhaustedError(`no ready tenant for lab ${data.labId}`);
    if (data.labId === 'bug') throw new Error('connection string mongodb://secret@db leaked');
    return { claimId: `cl-${data.user}`, labId: data.labId, pattern: ctx.pattern, traced: ctx.trace !== undefined };
  }

  @MessagePattern('cmd.claim.slow')
  async slow() {
    await slowCommand.promise;
    return { done: true };
  }
}

@Module({ controllers: [ClaimCommands] })
class ClaimCommandsModule {}

const natsUrl = inject('lanes').natsUrl;
let topo: OwnTopology;
let app: INestMicroservice;
let client: JetStreamClientProxy;

async function startCommands(): Promise<void> {
  slowCommand = gate();
  topo = await ownTopology(natsUrl);
  const server = new JetStreamServer({
    servers: natsUrl,
    subjectPrefix: topo.subjectPrefix,
    streams: topo.streams,
    commandQueue: 'claim-api',
  });
  app = await NestFactory.createMicroservice(ClaimCommandsModule, { strategy: server, logger: false });
  app.useGlobalFilters(new JetStreamExceptionFilter());
  await app.listen();
  client = new JetStreamClientProxy({
    servers: natsUrl,
    subjectPrefix: topo.subjectPrefix,
    source: '/kubelabs/spec',
    timeoutMs: 300,
  });
}

afterEach(async () => {
  slowCommand.open();
  await client.close();
  await app.close();
  await topo.dispose();
});

describe('JetStreamClientProxy request/reply', () => {
  it('runs a @MessagePattern command through the Nest microservice and returns its JSON reply', async () => {
    await startCommands();
    const reply = await firstValueFrom(client.send('cmd.claim.create', { labId: 'cka-1', user: 'ada' }));
    expect(reply).toEqual({ claimId: 'cl-ada', labId: 'cka-1', pattern: 'cmd.claim.create', traced: true });
  });

  it('replies { error: { code, message } } for a failing handler, hiding internals of unknown errors', async () => {
    await startCommands();
    const domain = await firstValueFrom(client.send('cmd.claim.create', { labId: 'empty-pool', user: 'ada' })).catch(
      (e: unknown) => e,
    );
    expect(domain).toBeInstanceOf(CommandError);
    expect(domain).toMatchObject({ code: 'pool.exhausted', message: 'no ready tenant for lab empty-pool' });

    const raw = await topo.nc.request(
      `${topo.subjectPrefix}.cmd.claim.create`,
      JSON.stringify({ labId: 'bug', user: 'x' }),
      { timeout: 2_000 },
    );
    expect(raw.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    // The service is still there after both failures.
    await expect(
      firstValueFrom(client.send('cmd.claim.create', { labId: 'cka-1', user: 'bob' })),
    ).resolves.toMatchObject({ claimId: 'cl-bob' });
  });

  it('fails a command with a typed error when nothing answers or the answer is late', async () => {
    await startCommands();
    const unserved = await firstValueFrom(client.send('cmd.nobody.home', {})).catch((e: unknown) => e);
    expect(unserved).toBeInstanceOf(MessagingError);
    expect(unserved).toMatchObject({ code: 'messaging.no_responders' });

    const late = await firstValueFrom(client.send('cmd.claim.slow', {})).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'messaging.timeout' });
  });
});
