#!/usr/bin/env bash
# Regenerates contracts/openapi.json from the claim API's code: builds under the pinned Node.js, compiles these
# scripts (the service build leaves scripts out) and runs the writer. An optional argument writes elsewhere.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/node-env.sh"
cd "$KUBELABS_ROOT"
bash scripts/run.sh build
swc services/claim-api/scripts -d dist --quiet
node dist/services/claim-api/scripts/write-openapi.js "$@"
