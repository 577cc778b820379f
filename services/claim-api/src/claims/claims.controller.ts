// HTTP face of claims: create (201 active / 202 pending), read, list, release, extend, progress stream, kubeconfig.
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  Sse,
  type MessageEvent,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { CurrentCaller, RequireScope } from '../auth/api-key.guard';
import type { Caller } from '../auth/api-keys';
import { ProblemDetails } from '../problem/problem-details';
import {
  ClaimIdParam,
  ExtendClaimRequest,
  idempotencyKeyPattern,
  ListClaimsQuery,
  parseIdempotencyKey,
} from './claim-requests.dto';
import { toClaimView, ClaimView } from './claim-view';
import { ClaimApiSettings } from './claim-api-settings';
import { ClaimProgress } from './claim-events/claim-progress';
import { CreateClaim } from './create-claim/create-claim';
import { CreateClaimRequest } from './create-claim/create-claim.dto';
import { ManageClaims } from './manage-claims';
import { ClaimChecksView } from './run-claim-checks/claim-checks-view';
import { RunClaimChecks } from './run-claim-checks/run-claim-checks';
import { TenantKubeconfig } from './tenant-kubeconfig';

@ApiTags('claims')
@RequireScope('claim')
@ApiBadRequestResponse({ type: ProblemDetails, description: 'Invalid input' })
@Controller('v1/claims')
export class ClaimsController {
  constructor(
    private readonly createClaim: CreateClaim,
    private readonly claims: ManageClaims,
    private readonly settings: ClaimApiSettings,
    private readonly progress: ClaimProgress,
    private readonly kubeconfig: TenantKubeconfig,
    private readonly checks: RunClaimChecks,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Claim a lab: a ready tenant at once (201) or a place in the queue (202)' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retried request with the same key gets the same claim',
    schema: { type: 'string', pattern: idempotencyKeyPattern.source },
  })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description: 'Idempotency-Key already used with a different request',
  })
  @ApiCreatedResponse({ type: ClaimView, description: 'A ready tenant was taken' })
  @ApiAcceptedResponse({ type: ClaimView, description: 'No tenant is ready: the claim waits, in arrival order' })
  @ApiConflictResponse({ type: ProblemDetails, description: 'The user already holds a live claim' })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'Unknown lab or Kubernetes version' })
  async create(
    @Body() body: CreateClaimRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ClaimView> {
    const key = parseIdempotencyKey(idempotencyKey);
    const result = await this.createClaim.execute(body, caller, key);
    void reply.status(result.claim.state === 'active' ? 201 : result.claim.state === 'pending' ? 202 : 200);
    void reply.header('Location', `/v1/claims/${result.claim._id}`);
    if (result.claim.state === 'pending') {
      // A queued claim's generated key is returned now too: its public half is stored with the claim and installed
      // when a tenant is handed over, and this response is the only place the private half ever appears.
      const view = await this.claims.view(result.claim);
      if (result.sshPrivateKey) view.sshPrivateKey = result.sshPrivateKey;
      return view;
    }
    return toClaimView(result.claim, {
      ...(result.exposure ? { exposure: result.exposure } : {}),
      ...(result.sshPrivateKey ? { sshPrivateKey: result.sshPrivateKey } : {}),
    });
  }

  @Get()
  @ApiOperation({ summary: 'List claims (a claim-scoped key sees only its own)' })
  @ApiOkResponse({ type: [ClaimView] })
  async list(@Query() query: ListClaimsQuery, @CurrentCaller() caller: Caller): Promise<ClaimView[]> {
    const docs = await this.claims.list(caller, query.userId);
    return Promise.all(docs.map((doc) => this.claims.view(doc)));
  }

  @Get(':id')
  @ApiOkResponse({ type: ClaimView })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param() { id }: ClaimIdParam, @CurrentCaller() caller: Caller): Promise<ClaimView> {
    return this.claims.view(await this.claims.find(id, caller));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Release an active claim (its tenant is destroyed) or cancel a pending one' })
  @ApiOkResponse({ type: ClaimView })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async release(@Param() { id }: ClaimIdParam, @CurrentCaller() caller: Caller): Promise<ClaimView> {
    return this.claims.view(await this.claims.release(id, caller, caller.scopes.includes('admin') ? 'admin' : 'user'));
  }

  @Post(':id/extend')
  @HttpCode(200)
  @ApiOperation({
    summary: "Extend an active claim, within the lab's maximum extension",
    description:
      "Without a body (or without `minutes`) it adds the lab's `extensionStepMinutes` (15 unless the lab says), or " +
      "only what is left of the lab's maximum when less than a step is left, so an Extend button needs no number.",
  })
  @ApiBody({ type: ExtendClaimRequest, required: false })
  @ApiOkResponse({ type: ClaimView })
  @ApiConflictResponse({ type: ProblemDetails, description: 'Not active, or past the maximum extension' })
  async extend(
    @Param() { id }: ClaimIdParam,
    @Body() body: ExtendClaimRequest,
    @CurrentCaller() caller: Caller,
  ): Promise<ClaimView> {
    // No body arrives as an empty one (the validation pipe's toEmptyIfNil).
    return this.claims.view(await this.claims.extend(id, body.minutes, caller));
  }

  @Post(':id/checks')
  @HttpCode(200)
  @ApiOperation({
    summary: "Grade an active claim: run its lab's solution checks against its tenant",
    description:
      'Each solution check of the lab is evaluated by the platform on the tenant (through its API with the ' +
      "platform's credentials, or a script over SSH with the platform's key) and answered with its result; a failed " +
      "check carries the lab's hint. `claim.checked` is published with the same results. Read-only: the tenant is " +
      'not changed. One run at a time per claim (409 `claim.checks_running` meanwhile, with Retry-After); a check ' +
      'still looking at the run deadline (CHECK_RUN_TIMEOUT_MS) fails with "did not finish".',
  })
  @ApiOkResponse({ type: ClaimChecksView })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'Unknown claim (or not one of the key holder), or lab' })
  @ApiConflictResponse({
    type: ProblemDetails,
    description:
      'claim.not_active: the claim has no tenant; claim.checks_running: a run is in progress; lab.no_checks: the lab declares no solution checks',
  })
  async runChecks(@Param() { id }: ClaimIdParam, @CurrentCaller() caller: Caller): Promise<ClaimChecksView> {
    return this.checks.execute(await this.claims.find(id, caller));
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: "Server-sent events of the claim's progress, ending with its terminal state",
    description:
      "The first event is the claim's state, `claim.<state>` (`claim.pending`, `claim.active`, ...) with the claim " +
      'view as `data`; another `claim.<state>` follows each change of state. When the claim turns active, ' +
      '`claim.active` carries the claim view with its `access`; if the public endpoints were still opening ' +
      '(`access.state: opening`), a second `claim.active` follows once they are open (`access.state: open`, with ' +
      'ssh and api addresses). Between them come the platform events that concern the claim under their own type ' +
      '(`tenant.provisioning`, `tenant.claimed`, `tenant.exposure.opened`, `tenant.expiring`, `claim.extended`, ' +
      '`tenant.released`), with their contract payloads, and `heartbeat`. The stream ends after `claim.released`, ' +
      '`claim.expired` or `claim.cancelled`, also when the claim was already ended on connecting. It ends as soon ' +
      'as it reads the terminal state, so an event published after that state was written (`tenant.released` after ' +
      'a release, say) may not be sent.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream of claim progress events, the last one the terminal state' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async events(@Param() { id }: ClaimIdParam, @CurrentCaller() caller: Caller): Promise<Observable<MessageEvent>> {
    const claim = await this.claims.find(id, caller);
    return this.progress.stream(claim);
  }

  @Get(':id/kubeconfig')
  @ApiOperation({ summary: "The tenant cluster's admin kubeconfig (active claims only)" })
  @ApiProduces('application/yaml')
  @ApiOkResponse({
    description: 'kubeconfig YAML',
    content: {
      'application/yaml': {
        schema: { type: 'object', required: ['apiVersion', 'kind', 'clusters', 'contexts', 'users'] },
      },
    },
  })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: 'The claim is not active' })
  async getKubeconfig(
    @Param() { id }: ClaimIdParam,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const claim = await this.claims.find(id, caller);
    const yaml = await this.kubeconfig.forClaim(claim);
    void reply.header('Content-Type', 'application/yaml').header('Cache-Control', 'no-store');
    return yaml;
  }
}
