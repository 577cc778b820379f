// What POST /v1/claims/{id}/checks answers: each solution check's result, and whether the lab is solved. The same
// content as the claim.checked event.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { labCheckKinds, type CheckResult, type LabCheckKind } from '@kubelabs/domain';

export class CheckResultView {
  @ApiProperty({ description: "Position in the lab's solution checks, from 0", example: 0 })
  index!: number;
  @ApiProperty({ enum: labCheckKinds, example: 'node' })
  kind!: LabCheckKind;
  @ApiProperty({ example: 'Every node is Ready' })
  title!: string;
  @ApiProperty({ example: false })
  passed!: boolean;
  @ApiProperty({ description: 'What was seen, in one sentence', example: 'node node01 is NotReady, expected Ready' })
  message!: string;
  @ApiPropertyOptional({
    description: "The lab's hint for this check; only when it failed",
    example: 'On the worker, `systemctl status kubelet` says why the kubelet does not run.',
  })
  hint?: string;
}

export class ClaimChecksView {
  @ApiProperty({ example: 'c-9m2x8q' })
  claimId!: string;
  @ApiProperty({ format: 'uuid', description: 'This run; the claim.checked event carries it too' })
  runId!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  checkedAt!: string;
  @ApiProperty({ description: 'Every solution check passed' })
  solved!: boolean;
  @ApiProperty({ example: 1 })
  passed!: number;
  @ApiProperty({ example: 2 })
  total!: number;
  @ApiProperty({ type: [CheckResultView] })
  results!: CheckResultView[];
}

export function toClaimChecksView(input: {
  claimId: string;
  runId: string;
  checkedAt: Date;
  results: CheckResult[];
}): ClaimChecksView {
  const passed = input.results.filter((r) => r.passed).length;
  return {
    claimId: input.claimId,
    runId: input.runId,
    checkedAt: input.checkedAt.toISOString(),
    solved: input.results.length > 0 && passed === input.results.length,
    passed,
    total: input.results.length,
    results: input.results.map((r) => ({ ...r })),
  };
}
