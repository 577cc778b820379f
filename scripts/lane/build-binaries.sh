#!/usr/bin/env bash
# Builds the local lane's servers (nats-server, etcd, kube-apiserver, kube-controller-manager from the Go module proxy;
# mongo-java-server from Maven Central) and the test tools (np-guard's netpolicy) into a cache outside the clone, keyed
# by version, so a fresh clone on the same machine reuses them.
# Usage: scripts/lane/build-binaries.sh [nats|etcd|kube|mongo|netpol|all]   (idempotent: what is cached is skipped)
set -euo pipefail

NATS_VERSION="${NATS_VERSION:-v2.12.15}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
MONGO_JAVA_SERVER_VERSION="${MONGO_JAVA_SERVER_VERSION:-1.47.0}"
NETPOLICY_VERSION="${NETPOLICY_VERSION:-v1.4.4}"
CACHE_DIR="${KUBELABS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubelabs}"
BIN_DIR="$CACHE_DIR/bin"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
mkdir -p "$BIN_DIR"
# One build at a time per cache: a second caller (a test's global set-up beside `npm run dev`) waits, then finds the
# binaries cached, instead of racing on the same temporary files.
exec 9>"$CACHE_DIR/.build.lock"
flock 9

log() { printf '[lane-build] %s\n' "$*" >&2; }

# go install into a private GOBIN, then move into place atomically so a killed build never leaves a half binary.
build_nats() {
  local out="$BIN_DIR/nats-server-$NATS_VERSION"
  [[ -x "$out" ]] && { log "nats-server $NATS_VERSION cached"; return; }
  log "building nats-server $NATS_VERSION (1-2 min)"
  local tmp; tmp="$(mktemp -d)"
  GOBIN="$tmp" go install "github.com/nats-io/nats-server/v2@$NATS_VERSION"
  mv "$tmp/nats-server" "$out.tmp" && mv "$out.tmp" "$out"; rm -rf "$tmp"
}

# etcd's server module has replace directives, so it is built from a throwaway wrapper module.
build_etcd() {
  local out="$BIN_DIR/etcd-$ETCD_VERSION"
  [[ -x "$out" ]] && { log "etcd $ETCD_VERSION cached"; return; }
  log "building etcd $ETCD_VERSION (2-4 min)"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && go mod init lane/etcd >/dev/null 2>&1 \
    && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null \
    && go build -o "$out.tmp" go.etcd.io/etcd/server/v3)
  mv "$out.tmp" "$out"; rm -rf "$tmp"
}

# k8s.io/kubernetes requires its staging modules at v0.0.0 with replaces into ./staging; the wrapper module replaces
# each with its published v0.<minor>.<patch>, derived from the downloaded go.mod since the list changes by release.
build_kube() {
  local apiserver="$BIN_DIR/kube-apiserver-$KUBE_VERSION" kcm="$BIN_DIR/kube-controller-manager-$KUBE_VERSION"
  [[ -x "$apiserver" && -x "$kcm" ]] && { log "kube-apiserver/kube-controller-manager $KUBE_VERSION cached"; return; }
  log "building kube-apiserver and kube-controller-manager $KUBE_VERSION (10-25 min cold on 2 cores)"
  local tmp staging_version modfile; tmp="$(mktemp -d)"
  staging_version="v0.${KUBE_VERSION#v1.}"
  modfile="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  {
    echo "module lane/kube"
    echo "go 1.26.0"
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' "$modfile" | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
  } >"$tmp/go.mod"
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
  (cd "$tmp" && go get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBE_VERSION")
  (cd "$tmp" && go build -trimpath -ldflags "$ldflags" -o "$apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  (cd "$tmp" && go build -trimpath -ldflags "$ldflags" -o "$kcm.tmp" k8s.io/kubernetes/cmd/kube-controller-manager)
  mv "$apiserver.tmp" "$apiserver"; mv "$kcm.tmp" "$kcm"; rm -rf "$tmp"
}

# np-guard's netpol-analyzer CLI: the netpol-enforcer's semantic policy test runs it over rendered policies.
# `go install module@version` first looks the module's deprecation up in its version list (@v/list), which the module
# proxy may refuse (403) while serving the pinned version itself; so it is installed from a throwaway wrapper module
# that requires exactly that version (go.sum still checked against the checksum database).
build_netpol() {
  local out="$BIN_DIR/netpolicy-$NETPOLICY_VERSION"
  [[ -x "$out" ]] && { log "netpolicy $NETPOLICY_VERSION cached"; return; }
  log "building netpolicy $NETPOLICY_VERSION (2-4 min cold on 2 cores)"
  local tmp; tmp="$(mktemp -d)"
  printf 'module lane/netpolicy\n\ngo 1.26.0\n\nrequire github.com/np-guard/netpol-analyzer %s\n' "$NETPOLICY_VERSION" >"$tmp/go.mod"
  (cd "$tmp" && GOBIN="$tmp/bin" go install -mod=mod github.com/np-guard/netpol-analyzer/cmd/netpolicy)
  mv "$tmp/bin/netpolicy" "$out.tmp" && mv "$out.tmp" "$out"; rm -rf "$tmp"
}

# mongo-java-server is a library: Maven copies its jars (and a logger) into the cache, javac compiles the lane's Main
# next to them. The cached Main.java copy is compared with the source, so an edited Main is rebuilt.
build_mongo() {
  local src out; src="$(cd "$(dirname "${BASH_SOURCE[0]}")/mongo-java-server" && pwd)"
  out="$CACHE_DIR/mongo-java-server-$MONGO_JAVA_SERVER_VERSION"
  if [[ -f "$out/classes/Main.class" ]] && cmp -s "$src/Main.java" "$out/Main.java"; then
    log "mongo-java-server $MONGO_JAVA_SERVER_VERSION cached"; return
  fi
  log "fetching mongo-java-server $MONGO_JAVA_SERVER_VERSION from Maven Central (under a minute)"
  local tmp; tmp="$(mktemp -d "$CACHE_DIR/.mongo-java-server.XXXXXX")"
  (cd "$src" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies -Dmongo-java-server.version="$MONGO_JAVA_SERVER_VERSION" \
    -DoutputDirectory="$tmp/lib")
  javac -d "$tmp/classes" -cp "$tmp/lib/*" "$src/Main.java"
  cp "$src/Main.java" "$tmp/Main.java"
  rm -rf "$out"; mv "$tmp" "$out"
}

what="${1:-all}"
case "$what" in
  nats) build_nats ;;
  etcd) build_etcd ;;
  kube) build_kube ;;
  mongo) build_mongo ;;
  netpol) build_netpol ;;
  all) build_nats; build_etcd; build_mongo; build_netpol; build_kube ;;
  *) echo "usage: $0 [nats|etcd|kube|mongo|netpol|all]" >&2; exit 2 ;;
esac
