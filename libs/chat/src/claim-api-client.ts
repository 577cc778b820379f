// The chat adapters' only way into the platform: the claim API over HTTP, with the adapter's own claim-scoped API key
// (it sees exactly the claims it made). Every call is bounded by a timeout; a problem+json answer becomes a
// ClaimApiProblem carrying the API's stable code and its detail, which is safe to show to the student.
import type { ChatClaim, ChatLab } from './render-chat-message';

export class ClaimApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'ClaimApiProblem';
  }
}

export interface ClaimApi {
  listLabs(): Promise<ChatLab[]>;
  createClaim(
    request: { labId: string; userId: string; kubernetesVersion?: string; sshPublicKey?: string },
    idempotencyKey: string,
  ): Promise<ChatClaim>;
  listClaims(userId?: string): Promise<ChatClaim[]>;
  /** Undefined when the claim does not exist or was not made with this adapter's key. */
  getClaim(claimId: string): Promise<ChatClaim | undefined>;
  extendClaim(claimId: string): Promise<ChatClaim>;
  releaseClaim(claimId: string): Promise<ChatClaim>;
}

export class ClaimApiClient implements ClaimApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly timeoutMs = 10_000,
  ) {}

  listLabs(): Promise<ChatLab[]> {
    return this.call<ChatLab[]>('GET', '/v1/labs');
  }

  createClaim(
    request: { labId: string; userId: string; kubernetesVersion?: string; sshPublicKey?: string },
    idempotencyKey: string,
  ): Promise<ChatClaim> {
    return this.call<ChatClaim>('POST', '/v1/claims', request, { 'idempotency-key': idempotencyKey });
  }

  listClaims(userId?: string): Promise<ChatClaim[]> {
    return this.call<ChatClaim[]>('GET', `/v1/claims${userId ? `?userId=${encodeURIComponent(userId)}` : ''}`);
  }

  async getClaim(claimId: string): Promise<ChatClaim | undefined> {
    try {
      return await this.call<ChatClaim>('GET', `/v1/claims/${encodeURIComponent(claimId)}`);
    } catch (error) {
      if (error instanceof ClaimApiProblem && error.status === 404) return undefined;
      throw error;
    }
  }

  extendClaim(claimId: string): Promise<ChatClaim> {
    return this.call<ChatClaim>('POST', `/v1/claims/${encodeURIComponent(claimId)}/extend`);
  }

  releaseClaim(claimId: string): Promise<ChatClaim> {
    return this.call<ChatClaim>('DELETE', `/v1/claims/${encodeURIComponent(claimId)}`);
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok) {
      throw new ClaimApiProblem(
        res.status,
        typeof json.code === 'string' ? json.code : 'claim_api.error',
        typeof json.detail === 'string' ? json.detail : `the claim API answered ${res.status}`,
      );
    }
    return json as T;
  }
}
