// What a `/lab` command or a pressed button does, for every chat provider: one call sequence against the claim API
// and one ChatMessage back. Only the student's own claims are touched: a button naming another user's claim (the
// adapter's key sees every claim it made) is answered like an unknown one.
import { generateSshKeyPair } from '@kubelabs/domain';
import { ClaimApiProblem, type ClaimApi } from './claim-api-client';
import type { LabCommand } from './parse-lab-command';
import { labCommandUsage } from './parse-lab-command';
import {
  renderClaimStarted,
  renderLabList,
  renderNotice,
  renderStatus,
  renderTime,
  type ChatAction,
  type ChatClaim,
  type ChatMessage,
} from './render-chat-message';

export interface CommandContext {
  /** The claim API userId of the student (see renderChatUserId). */
  userId: string;
  /** Unique per invocation (Slack's trigger_id, Discord's interaction id), so a retried request claims once. */
  invocationId: string;
}

/**
 * A fresh SSH key pair for a new claim. The adapter makes it and sends only the public key, so that the claim request
 * (and its idempotent retries) never carries a secret; the private key exists only in this process and in the
 * student's direct message.
 */
export function generateStudentKeyPair(comment: string): { publicKey: string; privateKey: string } {
  const pair = generateSshKeyPair(comment);
  return { publicKey: pair.public, privateKey: pair.private };
}

export async function runLabCommand(command: LabCommand, context: CommandContext, api: ClaimApi): Promise<ChatMessage> {
  try {
    switch (command.kind) {
      case 'help':
        return renderNotice(command.problem ? `Sorry, ${command.problem}.` : 'Kubernetes labs on demand.', [
          labCommandUsage,
        ]);
      case 'list':
        return renderLabList(await api.listLabs());
      case 'start': {
        const keys = generateStudentKeyPair(`kubelabs ${command.labId}`);
        const claim = await api.createClaim(
          {
            labId: command.labId,
            userId: context.userId,
            sshPublicKey: keys.publicKey,
            ...(command.kubernetesVersion ? { kubernetesVersion: command.kubernetesVersion } : {}),
          },
          context.invocationId,
        );
        return renderClaimStarted({ ...claim, sshPrivateKey: keys.privateKey });
      }
      case 'status':
        return renderStatus(await api.listClaims(context.userId));
      case 'extend': {
        const claim = liveClaim(await api.listClaims(context.userId), 'active');
        if (!claim) return renderNotice('You hold no active lab to extend.');
        return extended(await api.extendClaim(claim.id));
      }
      case 'stop': {
        const claim = liveClaim(await api.listClaims(context.userId));
        if (!claim) return renderNotice('You hold no lab to stop.');
        return released(await api.releaseClaim(claim.id));
      }
    }
  } catch (error) {
    return problemMessage(error);
  }
}

export async function runChatAction(action: ChatAction, userId: string, api: ClaimApi): Promise<ChatMessage> {
  try {
    const claim = await api.getClaim(action.claimId);
    if (!claim || claim.userId !== userId) return renderNotice('That lab is not yours, or no longer exists.');
    if (action.kind === 'extend') return extended(await api.extendClaim(claim.id));
    return released(await api.releaseClaim(claim.id));
  } catch (error) {
    return problemMessage(error);
  }
}

function liveClaim(claims: ChatClaim[], state?: 'active'): ChatClaim | undefined {
  return claims.find((c) => (state ? c.state === state : c.state === 'active' || c.state === 'pending'));
}

function extended(claim: ChatClaim): ChatMessage {
  return renderNotice(
    `Extended: *${claim.labId}* now runs until ${claim.expiresAt ? renderTime(claim.expiresAt) : '?'}.`,
  );
}

function released(claim: ChatClaim): ChatMessage {
  return renderNotice(
    claim.state === 'cancelled'
      ? `You left the queue for *${claim.labId}*.`
      : `Released *${claim.labId}*; its cluster is being deleted.`,
  );
}

/** A claim API refusal in words the student can act on; anything else without internals. */
export function problemMessage(error: unknown): ChatMessage {
  if (error instanceof ClaimApiProblem && error.status < 500) return renderNotice(`Sorry: ${error.detail}`);
  return renderNotice('Sorry, the lab platform did not answer. Please try again in a minute.');
}
