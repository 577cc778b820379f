// I/O: one POST to a receiver. The address is checked against the refused ranges at connection time (our own DNS
// lookup feeds the socket, so a name cannot resolve to one address for the check and another for the call);
// redirects are not followed; the response body is discarded; everything is bounded by one timeout.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, parseRetryAfter, refusalOf, type AttemptResult, type WebhookTargetRules } from '@kubelabs/domain';
import type { WebhookRequest } from './render-webhook-request';

class RefusedTarget extends Error {}

/** A lookup that answers only with allowed addresses, and fails the connection when any is refused. */
function checkedLookup(rules: WebhookTargetRules): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((entry) => refusalOf(entry.address, rules)).find(Boolean);
      if (refused || addresses.length === 0)
        return callback(new RefusedTarget(refused ?? `${hostname} has no address`), '', 0);
      if ((options as { all?: boolean }).all)
        return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export function sendWebhook(
  target: string,
  request: WebhookRequest,
  options: { rules: WebhookTargetRules; timeoutMs: number; now?: () => Date },
): Promise<AttemptResult> {
  const url = new URL(target);
  const host = hostOf(url);
  if (isIP(host)) {
    const refusal = refusalOf(host, options.rules);
    if (refusal) return Promise.resolve({ kind: 'refused', reason: refusal });
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: checkedLookup(options.rules),
        agent: false,
      },
      (res) => {
        const retryAfterMs = parseRetryAfter(res.headers['retry-after'], options.now?.() ?? new Date());
        res.resume();
        res.on('end', () =>
          settle({
            kind: 'response',
            status: res.statusCode ?? 0,
            ...(retryAfterMs !== undefined && { retryAfterMs }),
          }),
        );
        res.on('error', (error) => settle({ kind: 'failed', reason: error.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    req.on('error', (error) =>
      settle(
        error instanceof RefusedTarget
          ? { kind: 'refused', reason: error.message }
          : { kind: 'failed', reason: error.message || (error as NodeJS.ErrnoException).code || 'request failed' },
      ),
    );
    req.end(request.body);
  });
}
