// The body of POST /v1/claims (and of the cmd.claim.create NATS command), validated at the edge. Every pattern comes
// from contracts/common.schema.json (`fieldRules`), so HTTP, the NATS command and the events accept the same values.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { fieldRules } from '@kubelabs/contracts';

const { labId, userId, kubernetesVersion, sshPublicKey } = fieldRules;
const sshPublicKeyMaxLength = sshPublicKey.maxLength ?? 16_384;

/**
 * At most `max` characters counted as JSON Schema's `maxLength` counts them (code points), so that HTTP and the
 * schemas agree at the limit: class-validator's `MaxLength` (validator.js `isLength`) leaves variation selectors out.
 */
function MaxCodePoints(max: number, message: string): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxCodePoints',
      constraints: [max],
      validator: { validate: (value: unknown) => typeof value === 'string' && [...value].length <= max },
    },
    { message },
  );
}

export class CreateClaimRequest {
  @ApiProperty({ example: 'flask-debugging', description: labId.description, pattern: labId.pattern })
  @IsString()
  @Matches(labId.regex, { message: 'labId must be a lab slug (a-z, 0-9, inner -), 1 to 48 characters' })
  labId!: string;

  @ApiProperty({ example: 'slack:T024BE7LD:U0G9QF9C6', description: userId.description, pattern: userId.pattern })
  @IsString()
  @Matches(userId.regex, {
    message: 'userId must be 1-128 characters: a letter or digit, then letters, digits or . _ : @ + -',
  })
  userId!: string;

  @ApiPropertyOptional({
    example: '1.36',
    pattern: kubernetesVersion.pattern,
    description: 'A Kubernetes minor version. Defaults to the newest version the lab is offered on',
  })
  @IsOptional()
  @IsString()
  @Matches(kubernetesVersion.regex, { message: 'kubernetesVersion must look like 1.36' })
  kubernetesVersion?: string;

  @ApiPropertyOptional({
    example: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ada@laptop',
    description: `${sshPublicKey.description} Without it, a key pair is generated and the private key returned once.`,
    maxLength: sshPublicKeyMaxLength,
    pattern: sshPublicKey.pattern,
  })
  @IsOptional()
  @IsString()
  @MaxCodePoints(sshPublicKeyMaxLength, `sshPublicKey must be at most ${sshPublicKeyMaxLength} characters`)
  @Matches(sshPublicKey.regex, { message: 'sshPublicKey must be one OpenSSH public key line' })
  sshPublicKey?: string;
}
