// One typed error for everything the Kubernetes API says no to, with a stable code, so callers branch on codes
// (`kube.invalid`, `kube.conflict`, ...) instead of parsing HTTP bodies, and "not found" can be treated as success.
import { ApiException } from '@kubernetes/client-node';

export type KubeErrorCode =
  | 'kube.invalid' // 422: the API server's validation (built-in or CRD schema) rejected the object
  | 'kube.bad_request' // 400
  | 'kube.unauthorized' // 401
  | 'kube.forbidden' // 403
  | 'kube.not_found' // 404, also a kind the server does not serve
  | 'kube.conflict' // 409 Conflict (resourceVersion or apply field conflict)
  | 'kube.already_exists' // 409 AlreadyExists
  | 'kube.gone' // 410: a watch or list continuation expired
  | 'kube.too_many_requests' // 429
  | 'kube.unavailable' // 5xx, or not ready yet
  | 'kube.unreachable' // no HTTP answer at all (refused, reset, TLS, DNS)
  | 'kube.timeout' // a bounded wait of ours ran out
  | 'kube.error'; // any other status

export interface KubeErrorCause {
  field?: string;
  reason?: string;
  message?: string;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    readonly code: KubeErrorCode,
    message: string,
    readonly statusCode?: number,
    /** The Status object's `reason` (Invalid, NotFound, Conflict, ...) when the server sent one. */
    readonly reason?: string,
    /** Field-level causes from a 422 (`spec.runStrategy: Unsupported value ...`). */
    readonly causes: KubeErrorCause[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function codeFor(status: number, reason: string | undefined): KubeErrorCode {
  if (status === 409) return reason === 'AlreadyExists' ? 'kube.already_exists' : 'kube.conflict';
  const byStatus: Record<number, KubeErrorCode> = {
    400: 'kube.bad_request',
    401: 'kube.unauthorized',
    403: 'kube.forbidden',
    404: 'kube.not_found',
    410: 'kube.gone',
    422: 'kube.invalid',
    429: 'kube.too_many_requests',
  };
  return byStatus[status] ?? (status >= 500 ? 'kube.unavailable' : 'kube.error');
}

interface StatusBody {
  reason?: string;
  message?: string;
  details?: { causes?: KubeErrorCause[] };
}

// The client hands the body over parsed or as text depending on the response's content type.
function statusBody(body: unknown): StatusBody {
  if (typeof body === 'object' && body !== null) return body as StatusBody;
  const text = String(body ?? '');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return parsed as StatusBody;
  } catch {
    // not JSON: keep the text as the message
  }
  return { message: text.slice(0, 500) };
}

/** Turns whatever the client library threw into a KubeApiError; errors that are not about the API pass through. */
export function toKubeApiError(error: unknown, doing: string): unknown {
  if (error instanceof KubeApiError) return error;
  if (error instanceof ApiException) {
    const status = Number(error.code);
    const body = statusBody(error.body);
    const message = `${doing}: ${body.message || `HTTP ${status}`}`;
    // Server-side apply answers 500 when the object does not fit the schema (a wrong type, an undeclared field):
    // kubernetes/kubernetes#139253. It is the caller's object that is wrong, so it is invalid, not transient.
    const typedPatchRejected = status === 500 && (body.message ?? '').startsWith('failed to create typed patch object');
    return new KubeApiError(
      typedPatchRejected ? 'kube.invalid' : codeFor(status, body.reason),
      message,
      status,
      body.reason,
      body.details?.causes ?? [],
      {
        cause: error,
      },
    );
  }
  if (error instanceof Error && error.message.startsWith('Unrecognized API version and kind')) {
    return new KubeApiError('kube.not_found', `${doing}: ${error.message}`, 404, 'NotFound', [], { cause: error });
  }
  // undici's fetch fails with a TypeError whose cause is the socket or TLS error.
  const cause =
    error instanceof TypeError ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause) {
    const what = typeof cause.code === 'string' ? cause.code : String(cause.message);
    return new KubeApiError('kube.unreachable', `${doing}: ${what}`, undefined, undefined, [], { cause: error });
  }
  return error;
}
