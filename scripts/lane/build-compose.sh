#!/usr/bin/env bash
# Builds the Docker Compose CLI from the Go module proxy into the lane cache, so test/deploy.spec.ts can check that
# docker-compose.yml is valid (`config --quiet`) on machines without a Docker engine or its compose plugin.
# Usage: scripts/lane/build-compose.sh   (idempotent: a cached binary is reused; prints the binary's path on stdout)
set -euo pipefail

# v5.6.0 is the newest release whose go.mod (go 1.26.8) this machine's Go builds without fetching a toolchain;
# v5.7.x says go 1.26.11 and so needs COMPOSE_GOTOOLCHAIN=go1.27.3 (an approved toolchain on the module proxy).
COMPOSE_VERSION="${COMPOSE_VERSION:-v5.6.0}"
CACHE_DIR="${KUBELABS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubelabs}"
BIN_DIR="$CACHE_DIR/bin"
OUT="$BIN_DIR/docker-compose-$COMPOSE_VERSION"
export GOTOOLCHAIN="${COMPOSE_GOTOOLCHAIN:-local}" GOFLAGS=-buildvcs=false CGO_ENABLED=0

log() { printf '[lane-build] %s\n' "$*" >&2; }

if [[ -x "$OUT" ]]; then
  log "docker-compose $COMPOSE_VERSION cached"
  echo "$OUT"
  exit 0
fi

mkdir -p "$BIN_DIR"
log "building docker-compose $COMPOSE_VERSION (about 1 min cold on 2 cores, 370 MB of modules)"
# The main package is ./cmd, so `go install module/cmd@version` would name the binary `cmd`; a throwaway wrapper
# module lets us name it, and keeps go.mod/go.sum out of the clone. (The module has no replace directives.)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(
  cd "$tmp"
  go mod init lane/compose >/dev/null 2>&1
  go get "github.com/docker/compose/v5/cmd@$COMPOSE_VERSION"
  go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION" \
    -o "$OUT.tmp" github.com/docker/compose/v5/cmd
)
mv "$OUT.tmp" "$OUT"
log "docker-compose $COMPOSE_VERSION built"
echo "$OUT"
