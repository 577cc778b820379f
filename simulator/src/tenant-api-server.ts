// [simulator] Plain HTTP on loopback standing in for every tenant's kube-apiserver, one path prefix per tenant
// namespace. It accepts any request without authentication: it is a simulator and never leaves 127.0.0.1. Its
// `/simulator/...` control endpoints let a human on the dev platform play "the student fixed it" and bootstrap failures.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerTenantApi, type TenantApiOptions, type TenantLookup } from './answer-tenant-api';
import type { TenantScenarios } from './tenant-scenarios';

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
  scenarios?: TenantScenarios,
): Promise<TenantApiServer> {
  const server: Server = createServer(async (request, response) => {
    const answer =
      (scenarios && (await answerControl(request, scenarios))) ||
      answerTenantApi(request.method ?? 'GET', request.url ?? '/', lookup, options);
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

/**
 * `POST /simulator/tenants/<namespace>/solve`: the student fixed that tenant's lab.
 * `POST /simulator/labs/<lab>/bootstrap-failures` `{"node","step","message","count"}`: the next tenants of the lab
 * report that failed bootstrap. Undefined for any other request (the tenant API answers it).
 */
async function answerControl(
  request: IncomingMessage,
  scenarios: TenantScenarios,
): Promise<{ status: number; body: unknown } | undefined> {
  const path = new URL(request.url ?? '/', 'http://simulator').pathname;
  if (!path.startsWith('/simulator/')) return undefined;
  if (request.method !== 'POST') return { status: 405, body: { error: '[simulator] control endpoints take POST' } };
  let m: RegExpExecArray | null;
  if ((m = /^\/simulator\/tenants\/([a-z0-9-]{1,63})\/solve$/.exec(path))) {
    scenarios.solve(m[1]!);
    return { status: 200, body: { namespace: m[1], solved: true } };
  }
  if ((m = /^\/simulator\/labs\/([a-z0-9-]{1,48})\/bootstrap-failures$/.exec(path))) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
      if (chunks.reduce((n, c) => n + c.length, 0) > 4096) return { status: 413, body: { error: 'too large' } };
    }
    let input: { node?: unknown; step?: unknown; message?: unknown; count?: unknown };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof input;
    } catch {
      return { status: 400, body: { error: '[simulator] the body must be JSON' } };
    }
    const count =
      Number.isInteger(input.count) && (input.count as number) > 0 ? Math.min(input.count as number, 100) : 1;
    scenarios.failBootstrap(
      m[1]!,
      {
        node: shortText(input.node, 'controlplane'),
        step: shortText(input.step, 'kubeadm init'),
        message: shortText(input.message, '[simulator] bootstrap failed'),
      },
      count,
    );
    return { status: 202, body: { labId: m[1], pending: scenarios.pendingBootstrapFailures(m[1]!) } };
  }
  return { status: 404, body: { error: `[simulator] no control endpoint ${path}` } };
}

/** A short text field of a control request, or the fallback. */
function shortText(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value.slice(0, 200) : fallback;
}
