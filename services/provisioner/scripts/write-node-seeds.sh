#!/usr/bin/env bash
# Writes a tenant's rendered node user data for one catalog lab (see write-node-seeds.ts): builds under the pinned
# Node.js, compiles these scripts (the service build leaves scripts out) and runs the writer.
# Usage: services/provisioner/scripts/write-node-seeds.sh <lab.yaml> <kubernetes minor> <out dir> [tenant id]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/node-env.sh"
args=()
for a in "$@"; do [[ "$a" == /* || ! -e "$a" ]] && args+=("$a") || args+=("$(realpath "$a")"); done
cd "$KUBELABS_ROOT"
bash scripts/run.sh build
swc services/provisioner/scripts -d dist --quiet
node dist/services/provisioner/scripts/write-node-seeds.js "${args[@]}"
