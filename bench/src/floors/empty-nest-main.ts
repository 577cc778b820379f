// Floor server (child process): a NestJS 12 app on the Fastify adapter whose one POST route answers `{}`: the
// framework's own cost per request, without the claim API's guard, validation, filters and database work.
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller('v1/claims')
class EmptyController {
  @Post()
  @HttpCode(201)
  create(@Body() _body: unknown): Record<string, never> {
    return {};
  }
}

@Module({ controllers: [EmptyController] })
class EmptyModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`empty nest server failed: ${String(error)}\n`);
  process.exit(1);
});
