// What the API and the NATS commands answer about a claim. Never carries secrets, except the generated SSH
// private key, which is returned once, in the response that created the claim, and stored nowhere.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ClaimDocument } from '@kubelabs/persistence';
import { claimStates, renderAccess, type AccessSettings, type ClaimState } from '@kubelabs/domain';

export class SshAccess {
  @ApiProperty({ example: 'ssh.kubelabs-t-abc.svc.cluster.local' }) host!: string;
  @ApiProperty({ example: 22 }) port!: number;
  @ApiProperty({ example: 'student' }) user!: string;
}

export class KubeconfigAccess {
  @ApiProperty({
    description: 'GET this path with the same API key to download the admin kubeconfig',
    example: '/v1/claims/c-123/kubeconfig',
  })
  path!: string;
}

export class ClaimAccess {
  @ApiProperty({ type: SshAccess }) ssh!: SshAccess;
  @ApiProperty({ type: KubeconfigAccess }) kubeconfig!: KubeconfigAccess;
  @ApiPropertyOptional({
    description:
      'Generated OpenSSH private key, present only in the response that created the claim when no sshPublicKey was given',
  })
  sshPrivateKey?: string;
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
}

export function toClaimView(
  doc: ClaimDocument,
  access: AccessSettings,
  extra: { namespace?: string; sshPrivateKey?: string; queuePosition?: number } = {},
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
  if (doc.state === 'active' && extra.namespace) {
    view.access = {
      ...renderAccess(extra.namespace, doc._id, access),
      ...(extra.sshPrivateKey ? { sshPrivateKey: extra.sshPrivateKey } : {}),
    };
  }
  return view;
}
