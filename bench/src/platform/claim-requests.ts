// What the bench asks of the claim API: a warm claim (must be 201), the pools view, and a cold claim timed from the
// request until its progress stream says it is active.
import { request } from 'node:http';
import type { PoolView } from '@kubelabs/contracts';
import type { HttpClient } from '../measure/http-client';

/** A row of GET /v1/pools, as contracts/openapi.json declares it. */
export type PoolRow = PoolView;

export async function listPools(client: HttpClient, apiKey: string): Promise<PoolRow[]> {
  const res = await client.send('GET', '/v1/pools', undefined, { authorization: `Bearer ${apiKey}` });
  if (res.status !== 200) throw new Error(`GET /v1/pools answered ${res.status}: ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as PoolRow[];
}

export async function claimWarm(
  client: HttpClient,
  apiKey: string,
  body: { labId: string; userId: string; sshPublicKey?: string },
): Promise<void> {
  const res = await client.send('POST', '/v1/claims', body, { authorization: `Bearer ${apiKey}` });
  if (res.status !== 201)
    throw new Error(`POST /v1/claims answered ${res.status} (a warm claim must be 201): ${res.body.slice(0, 200)}`);
}

export interface ColdClaimTiming {
  claimId: string;
  /** From sending POST /v1/claims to its 202 answer. */
  acceptedMs: number;
  /** From sending POST /v1/claims to the progress stream saying the claim is active. */
  activeMs: number;
  /** Every progress event seen, with its time since the POST was sent. */
  events: ProgressEvent[];
}

export interface ProgressEvent {
  type: string;
  step?: string;
  atMs: number;
}

export async function claimCold(
  client: HttpClient,
  baseUrl: string,
  apiKey: string,
  body: { labId: string; userId: string; sshPublicKey?: string },
  timeoutMs: number,
): Promise<ColdClaimTiming> {
  const t0 = process.hrtime.bigint();
  const since = (): number => Number(process.hrtime.bigint() - t0) / 1e6;
  const res = await client.send('POST', '/v1/claims', body, { authorization: `Bearer ${apiKey}` });
  if (res.status !== 202)
    throw new Error(
      `POST /v1/claims answered ${res.status} (a claim on an empty pool must be 202): ${res.body.slice(0, 200)}`,
    );
  const acceptedMs = since();
  const claimId = (JSON.parse(res.body) as { id: string }).id;
  const events: ProgressEvent[] = [];
  await waitForActiveEvent(baseUrl, apiKey, claimId, timeoutMs, (type, data) => {
    const step = (data as { step?: unknown } | null)?.step;
    events.push({ type, ...(typeof step === 'string' ? { step } : {}), atMs: Math.round(since() * 10) / 10 });
  });
  return { claimId, acceptedMs, activeMs: since(), events };
}

/** Reads GET /v1/claims/{id}/events until an event says the claim is active (its first event is the current state). */
function waitForActiveEvent(
  baseUrl: string,
  apiKey: string,
  claimId: string,
  timeoutMs: number,
  seen: (type: string, data: unknown) => void,
): Promise<void> {
  const url = new URL(`/v1/claims/${claimId}/events`, baseUrl);
  return new Promise<void>((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        reject(new Error(`GET ${url.pathname} answered ${res.statusCode}`));
        return;
      }
      let buffer = '';
      res.on('error', () => undefined); // destroying the request once the answer is known aborts the response
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(message)?.[1];
          if (type) seen(type, parseData(message));
          if (type === 'tenant.claimed' || type === 'claim.active') {
            clearTimeout(timer);
            req.destroy();
            resolve();
            return;
          }
          if (type && ['claim.cancelled', 'claim.released', 'claim.expired', 'tenant.failed'].includes(type)) {
            clearTimeout(timer);
            req.destroy();
            reject(new Error(`claim ${claimId} ended before it was active (${type})`));
            return;
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`claim ${claimId} was not active within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}

function parseData(message: string): unknown {
  const data = message
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .join('\n');
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}
