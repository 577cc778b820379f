// `bash services/claim-api/scripts/write-openapi.sh`: rewrites contracts/openapi.json after a change to the claim
// API's routes or DTOs (test/openapi-contract.spec.ts fails until the committed file matches the code).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateOpenApiDocument, openApiContractPath, serializeOpenApiDocument } from './generate-openapi';

async function main(): Promise<void> {
  const target = process.argv[2] ? resolve(process.argv[2]) : openApiContractPath;
  writeFileSync(target, serializeOpenApiDocument(await generateOpenApiDocument()));
  process.stdout.write(`wrote ${target}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `write-openapi failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
