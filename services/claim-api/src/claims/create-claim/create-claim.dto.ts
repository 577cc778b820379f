// The body of POST /v1/claims (and of the cmd.claim.create NATS command), validated at the edge.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const sshPublicKeyPattern =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/=]{16,}( [^\n\r]{0,256})?$/;

export class CreateClaimRequest {
  @ApiProperty({ example: 'flask-debugging', pattern: '^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$' })
  @IsString()
  @Matches(/^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/, { message: 'labId must be a lab slug (a-z, 0-9, -)' })
  labId!: string;

  @ApiProperty({
    example: 'ada',
    description: 'The student, as the integration knows them (Slack/Discord user id, e-mail, ...)',
    pattern: '^[A-Za-z0-9._@:+-]{1,128}$',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._@:+-]{1,128}$/, { message: 'userId must be 1-128 characters of A-Z a-z 0-9 . _ @ : + -' })
  userId!: string;

  @ApiPropertyOptional({
    example: '1.36',
    pattern: '^1\\.[0-9]{2}$',
    description: 'Defaults to the newest version the lab is offered on',
  })
  @IsOptional()
  @IsString()
  @Matches(/^1\.[0-9]{2}$/, { message: 'kubernetesVersion must look like 1.36' })
  kubernetesVersion?: string;

  @ApiPropertyOptional({
    example: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ada@laptop',
    description: 'One OpenSSH public key line. Without it, a key pair is generated and the private key returned once',
    maxLength: 16_384,
    pattern: sshPublicKeyPattern.source,
  })
  @IsOptional()
  @IsString()
  @MaxLength(16_384, { message: 'sshPublicKey must be at most 16384 characters' })
  @Matches(sshPublicKeyPattern, { message: 'sshPublicKey must be one OpenSSH public key line' })
  sshPublicKey?: string;
}
