#!/usr/bin/env bash
# The one entry point behind `npm run dev`, `npm test`, `npm run bench` and `npm run lane`: it puts the pinned Node.js
# on PATH, installs dependencies and lane binaries when missing, builds, and runs the command under the pinned runtime.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
cd "$KUBELABS_ROOT"

ensure_dependencies() {
  local marker=node_modules/.package-lock.json
  if [[ ! -f "$marker" || package-lock.json -nt "$marker" ]]; then
    echo "[run] installing npm dependencies (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

build() {
  rm -rf dist
  swc libs services simulator bench -d dist --quiet --ignore '**/*.spec.ts' --ignore '**/scripts/**' >&2
}

ensure_lane_binaries() {
  if [[ -z "${NATS_URL:-}" || -z "${MONGO_URL:-}" || -z "${KUBECONFIG:-}" ]]; then
    bash scripts/lane/build-binaries.sh all
  else
    # np-guard's netpolicy (part of `all`) checks the enforcer's policies semantically; that test needs no lane, so it
    # is built even when every lane comes from a URL.
    bash scripts/lane/build-binaries.sh netpol
  fi
  # The compose CLI (about a minute cold) lets a test check docker-compose.yml with `docker compose config`.
  bash scripts/lane/build-compose.sh >/dev/null || echo "[run] the compose CLI did not build; its check is skipped" >&2
}

command="${1:-}"; shift || true
case "$command" in
  build) ensure_dependencies; build ;;
  test)
    ensure_dependencies
    echo "[run] typecheck and lint" >&2
    tsc -p tsconfig.json --noEmit >&2
    oxlint --quiet services libs test simulator bench >&2
    node scripts/check-boundaries.mjs >&2
    prettier --check --log-level warn . >&2
    build; ensure_lane_binaries
    mkdir -p reports
    status=0
    vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json "$@" || status=$?
    node scripts/print-test-summary.mjs reports/vitest.json
    exit "$status"
    ;;
  test-vm)
    # The VM lane: builds (or finds cached) the node disk, then boots tenants as qemu VMs. No lane servers needed.
    ensure_dependencies
    mkdir -p reports
    status=0
    vitest run -c vitest.vm.config.mts --reporter=default --reporter=json --outputFile.json=reports/vitest-vm.json "$@" || status=$?
    node scripts/print-test-summary.mjs reports/vitest-vm.json
    exit "$status"
    ;;
  dev) ensure_dependencies; build; ensure_lane_binaries; exec node dist/simulator/src/dev-platform.js "$@" ;;
  lane) ensure_dependencies; build; ensure_lane_binaries; exec node dist/libs/testing/src/lane-cli.js "$@" ;;
  bench) ensure_dependencies; build; ensure_lane_binaries; exec node dist/bench/src/run-bench.js "$@" ;;
  catalog-load) ensure_dependencies; build; exec node dist/libs/catalog/src/load-catalog-main.js "$@" ;;
  *) echo "usage: scripts/run.sh build|test|test-vm|dev|lane|bench|catalog-load [args]" >&2; exit 2 ;;
esac
