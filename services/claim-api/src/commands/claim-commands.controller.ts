// The claim commands over NATS request/reply (cmd.claim.create, cmd.claim.release, cmd.claim.get), for integrations
// such as the Slack and Discord adapters. Payloads are validated against contracts/commands by the transport; the
// reply is a claim view or an error shaped like the HTTP problem details. Over NATS no SSH key pair is generated
// (a private key must not travel on the bus): integrations pass the student's public key.
import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { STATUS_CODES } from 'node:http';
import { DomainError } from '@kubelabs/domain';
import type { Caller } from '../auth/api-keys';
import { CreateClaim } from '../claims/create-claim/create-claim';
import type { CreateClaimRequest } from '../claims/create-claim/create-claim.dto';
import { ManageClaims } from '../claims/manage-claims';
import type { ClaimView } from '../claims/claim-view';
import { statusOfCode } from '../problem/problem-details';

/** Commands arrive over an authenticated NATS account: the integration acts as an admin of claims, scoped by user. */
const natsCaller: Caller = { apiKeyId: 'nats', name: 'nats-integration', scopes: ['admin'] };

type Reply = ClaimView | { error: { code: string; title: string; detail: string; status: number } };

@Controller()
export class ClaimCommandsController {
  constructor(
    private readonly createClaim: CreateClaim,
    private readonly claims: ManageClaims,
  ) {}

  @MessagePattern('cmd.claim.create')
  async create(@Payload() request: CreateClaimRequest & { idempotencyKey?: string }): Promise<Reply> {
    return replyOf(async () => {
      const { idempotencyKey, ...body } = request;
      const result = await this.createClaim.execute(body, natsCaller, idempotencyKey, { generateSshKey: false });
      return this.claims.view(result.claim);
    });
  }

  @MessagePattern('cmd.claim.release')
  async release(@Payload() request: { claimId: string; userId: string }): Promise<Reply> {
    return replyOf(async () => {
      const claim = await this.claims.find(request.claimId, natsCaller);
      if (claim.userId !== request.userId)
        throw new DomainError('claim.not_found', `no claim '${request.claimId}' for user ${request.userId}`);
      return this.claims.view(await this.claims.release(request.claimId, natsCaller, 'user'));
    });
  }

  @MessagePattern('cmd.claim.get')
  async get(@Payload() request: { claimId: string }): Promise<Reply> {
    return replyOf(async () => this.claims.view(await this.claims.find(request.claimId, natsCaller)));
  }
}

async function replyOf(work: () => Promise<ClaimView>): Promise<Reply> {
  try {
    const { requestedAt: _r, queuePosition: _q, ...view } = await work();
    return view as ClaimView;
  } catch (error) {
    if (error instanceof DomainError) {
      const status = statusOfCode[error.code] ?? 400;
      return { error: { code: error.code, title: STATUS_CODES[status] ?? 'Error', detail: error.message, status } };
    }
    throw error;
  }
}
