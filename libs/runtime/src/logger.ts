// JSON logs through pino, with secrets redacted wherever they could appear (headers, keys, kubeconfigs, tokens).
import type { Params } from 'nestjs-pino';
import { destination } from 'pino';

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.sshPublicKey',
  '*.sshPrivateKey',
  '*.privateKey',
  '*.kubeconfig',
  '*.token',
  '*.apiKey',
  '*.key',
  '*.password',
  '*.secret',
];

const quietRoutes = new Set(['/healthz', '/readyz', '/metrics']);

export function loggerParams(service: string, level: string): Params {
  // Synchronous writes: the last lines before a SIGTERM exit (draining, closing) must not be lost in a buffer.
  return {
    pinoHttp: [
      {
        level,
        name: service,
        base: { service },
        redact: { paths: redactedPaths, censor: '[redacted]' },
        autoLogging: { ignore: (req) => quietRoutes.has((req.url ?? '').split('?')[0] ?? '') },
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            url: req.url,
          }),
        },
      },
      destination({ dest: 1, sync: true }),
    ],
  };
}
