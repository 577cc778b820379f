// Floor server (child process): a bare Fastify 5 app that answers the claim request's shape with `{}` on loopback,
// so the bench can tell the HTTP stack's own cost from the claim path's.
import Fastify from 'fastify';

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/v1/claims', async () => ({}));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`empty fastify server failed: ${String(error)}\n`);
  process.exit(1);
});
