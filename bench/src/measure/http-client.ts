// A small keep-alive HTTP/1.1 JSON client for the bench (loopback only): node:http with one socket per concurrent
// worker, so the client's own cost stays low and equal across every server it measures.
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpClient {
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  close(): void;
}

export function createHttpClient(
  baseUrl: string,
  { connections, timeoutMs = 30_000 }: { connections: number; timeoutMs?: number },
): HttpClient {
  const url = new URL(baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    throw new Error(`the bench only talks to loopback addresses, not ${url.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  return {
    send: (method, path, body, headers = {}) =>
      new Promise<HttpAnswer>((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = request(
          {
            agent,
            host: url.hostname.replace(/^\[|\]$/g, ''),
            port: url.port,
            method,
            path,
            timeout: timeoutMs,
            headers: {
              ...headers,
              ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${path} took longer than ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
  };
}
