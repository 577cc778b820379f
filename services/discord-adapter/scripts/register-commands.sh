#!/usr/bin/env bash
# Registers the Discord `/lab` command (see register-commands.ts) under the pinned Node.js.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/node-env.sh"
cd "$KUBELABS_ROOT"
bash scripts/run.sh build
swc services/discord-adapter/scripts -d dist --quiet
node dist/services/discord-adapter/scripts/register-commands.js "$@"
