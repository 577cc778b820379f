// I/O only: one bounded GET on a tenant's API server with the platform's own credentials (the tenant-cluster config:
// admin certificate, server verified against the tenant CA). Raw status and body, because checks read non-JSON
// answers too (pod logs, an HTTP answer through the node proxy); never longer than the deadline, never a huge body.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface TenantApiResponse {
  status: number;
  body: string;
}

const maxBodyBytes = 256 * 1024;

export async function getTenantApi(kc: KubeConfig, path: string, timeoutMs: number): Promise<TenantApiResponse> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const base = server.pathname.replace(/\/$/, '');
  const options: RequestOptions = {
    method: 'GET',
    protocol: server.protocol,
    hostname: server.hostname,
    port: server.port,
    path: `${base}${path}`,
    headers: { accept: 'application/json, */*' },
  };
  if (server.protocol === 'https:') await kc.applyToHTTPSOptions(options);
  const send = server.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<TenantApiResponse>((resolve, reject) => {
    const req = send(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= maxBodyBytes) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8'),
        });
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

/** The JSON body of a 200 answer; undefined for 404; throws with the API's message for anything else. */
export async function getTenantObject<T>(kc: KubeConfig, path: string, timeoutMs: number): Promise<T | undefined> {
  const response = await getTenantApi(kc, path, timeoutMs);
  if (response.status === 404) return undefined;
  if (response.status !== 200)
    throw new Error(`the tenant API answered ${response.status} to ${path}${apiMessage(response.body)}`);
  return JSON.parse(response.body) as T;
}

function apiMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === 'string' ? `: ${message}` : '';
  } catch {
    return '';
  }
}
