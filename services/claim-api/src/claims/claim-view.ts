// What the API and the NATS commands answer about a claim. Never carries secrets, except the generated SSH
// private key, which is returned once, in the response that created the claim, and stored nowhere.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ClaimDocument } from '@kubelabs/persistence';
import { claimStates, renderAccess, type ClaimState, type OpenedExposure } from '@kubelabs/domain';

export class SshAccess {
  @ApiProperty({ example: 'labs.example.org' }) host!: string;
  @ApiProperty({ example: 30022 }) port!: number;
  @ApiProperty({ example: 'student' }) user!: string;
  @ApiProperty({ example: 'ssh -p 30022 student@labs.example.org' }) command!: string;
}

export class ApiServerAccess {
  @ApiProperty({ example: 'labs.example.org' }) host!: string;
  @ApiProperty({ example: 30443 }) port!: number;
  @ApiProperty({ example: 'https://labs.example.org:30443' }) server!: string;
}

export class KubeconfigAccess {
  @ApiProperty({
    description: 'GET this path with the same API key to download the admin kubeconfig',
    example: '/v1/claims/c-123/kubeconfig',
  })
  path!: string;
}

export class ClaimAccess {
  @ApiProperty({
    enum: ['opening', 'open'],
    description:
      'opening: the public endpoints are being opened (tenant.exposure.opened follows); open: ssh and api answer',
  })
  state!: 'opening' | 'open';
  @ApiPropertyOptional({ type: SshAccess }) ssh?: SshAccess;
  @ApiPropertyOptional({ type: ApiServerAccess }) api?: ApiServerAccess;
  @ApiProperty({ type: KubeconfigAccess }) kubeconfig!: KubeconfigAccess;
}

export class ClaimView {
  @ApiProperty({ example: 'c-7f3a9c2e1b' }) id!: string;
  @ApiProperty({ enum: claimStates }) state!: ClaimState;
  @ApiProperty({ example: 'flask-debugging' }) labId!: string;
  @ApiProperty({ example: 'ada' }) userId!: string;
  @ApiProperty({ example: '1.36' }) kubernetesVersion!: string;
  @ApiPropertyOptional({ example: 't-flask-debugging-1-36-x1y2' }) tenantId?: string;
  @ApiProperty({ type: String, format: 'date-time' }) requestedAt!: string;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) expiresAt?: string;
  @ApiPropertyOptional({ description: 'Position among waiting claims of the pool (1 = next)', example: 3 })
  queuePosition?: number;
  @ApiPropertyOptional({ type: ClaimAccess }) access?: ClaimAccess;
  @ApiPropertyOptional({
    description:
      'Generated OpenSSH private key, only in the response that created the claim (201, or 202 when it was queued) and ' +
      'only when no sshPublicKey was given: its public half is stored with the claim and installed when a tenant is ' +
      'handed over. It is never shown again.',
  })
  sshPrivateKey?: string;
}

export function toClaimView(
  doc: ClaimDocument,
  extra: { exposure?: OpenedExposure; sshPrivateKey?: string; queuePosition?: number } = {},
): ClaimView {
  const view: ClaimView = {
    id: doc._id,
    state: doc.state,
    labId: doc.labId,
    userId: doc.userId,
    kubernetesVersion: doc.kubernetesVersion,
    requestedAt: doc.requestedAt.toISOString(),
  };
  if (doc.tenantId) view.tenantId = doc.tenantId;
  if (doc.expiresAt) view.expiresAt = doc.expiresAt.toISOString();
  if (extra.queuePosition !== undefined) view.queuePosition = extra.queuePosition;
  if (doc.state === 'active') {
    view.access = renderAccess(doc._id, extra.exposure);
  }
  if (extra.sshPrivateKey) view.sshPrivateKey = extra.sshPrivateKey;
  return view;
}
