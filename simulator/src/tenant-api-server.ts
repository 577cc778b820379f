// [simulator] Plain HTTP on loopback standing in for every tenant's kube-apiserver, one path prefix per tenant
// namespace. It accepts any request without authentication: it is a simulator and never leaves 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerTenantApi, type TenantApiOptions, type TenantLookup } from './answer-tenant-api';

export interface TenantApiServer {
  port: number;
  /** `http://127.0.0.1:<port>/tenants/{namespace}`: the value for the provisioner's TENANT_API_URL_TEMPLATE. */
  urlTemplate: string;
  close(): Promise<void>;
}

export async function startTenantApiServer(
  port: number,
  lookup: TenantLookup,
  options: TenantApiOptions,
): Promise<TenantApiServer> {
  const server: Server = createServer((request, response) => {
    const answer = answerTenantApi(request.method ?? 'GET', request.url ?? '/', lookup, options);
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      'content-type': typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    urlTemplate: `http://127.0.0.1:${actual}/tenants/{namespace}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
