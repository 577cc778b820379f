#!/usr/bin/env bash
# Builds every binary a kubeadm node runs, from the Go module proxy, into ~/.cache/kubelabs/vm/bin keyed by version:
# kubeadm/kubelet/kubectl and the control-plane components, containerd, runc, the CNI plugins, crictl, flanneld, etcd,
# CoreDNS, the pause binary, and the lane's OCI image tool. Idempotent: a cached binary is skipped.
# Usage: scripts/vm/build-node-binaries.sh [kube|containerd|runc|cni|crictl|flannel|etcd|coredns|pause|imagetool|all]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"
vm_lock node-binaries

# Builds packages of one module into $VM_BIN_DIR/<name>-<version> from a throwaway wrapper module (so the module's own
# replace directives and the proxy's version lists never matter), then moves each into place: a killed build leaves
# no half binary. Usage: wrapper_build <module> <version> <extra go.mod lines> <tags> <ldflags> <package:name>...
wrapper_build() {
  local module="$1" version="$2" extra="$3" tags="$4" ldflags="$5"; shift 5
  local missing=() spec
  for spec in "$@"; do [[ -x "$VM_BIN_DIR/${spec#*:}-$version" ]] || missing+=("$spec"); done
  if ((${#missing[@]} == 0)); then vm_log "$module $version cached"; return; fi
  vm_log "building $module $version: ${missing[*]##*:}"
  local tmp; tmp="$(mktemp -d)"
  printf 'module lane/vm\n\ngo 1.26.0\n\nrequire %s %s\n%s\n' "$module" "$version" "$extra" >"$tmp/go.mod"
  local pkgs=(); for spec in "${missing[@]}"; do pkgs+=("${spec%%:*}@$version"); done
  (cd "$tmp" && go get "${pkgs[@]}" >/dev/null 2>&1 || go get "${pkgs[@]}")
  for spec in "${missing[@]}"; do
    local pkg="${spec%%:*}" name="${spec#*:}"
    (cd "$tmp" && go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$VM_BIN_DIR/$name-$version.tmp" "$pkg")
    mv "$VM_BIN_DIR/$name-$version.tmp" "$VM_BIN_DIR/$name-$version"
  done
  rm -rf "$tmp"
}

# k8s.io/kubernetes requires its staging modules at v0.0.0 with replaces into ./staging; the wrapper replaces each
# with its published v0.<minor>.<patch>, derived from the downloaded go.mod (the list changes between releases).
build_kube() {
  local staging="v0.${KUBE_VERSION#v1.}" modfile replaces minor
  modfile="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  replaces="$(grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' "$modfile" | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}')"
  minor="$(echo "$KUBE_VERSION" | cut -d. -f2)"
  local specs=() c
  for c in kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
    specs+=("k8s.io/kubernetes/cmd/$c:$c")
  done
  CGO_ENABLED=0 wrapper_build k8s.io/kubernetes "$KUBE_VERSION" "$replaces" "" \
    "-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
    "${specs[@]}"
}

build_containerd() {
  CGO_ENABLED=0 wrapper_build github.com/containerd/containerd/v2 "$CONTAINERD_VERSION" "" no_btrfs,no_devmapper,no_zfs \
    "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
    github.com/containerd/containerd/v2/cmd/containerd:containerd \
    github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2:containerd-shim-runc-v2 \
    github.com/containerd/containerd/v2/cmd/ctr:ctr
}

# runc needs cgo (its nsenter is C) and libseccomp: kubeadm's static pods ask for the RuntimeDefault seccomp profile,
# which a runc built without seccomp refuses. Linked against Debian 12's libseccomp2, which the node has.
build_runc() {
  if ! dpkg -s libseccomp-dev >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libseccomp-dev pkg-config >/dev/null
  fi
  CGO_ENABLED=1 wrapper_build github.com/opencontainers/runc "$RUNC_VERSION" "" seccomp \
    "-s -w -X main.version=${RUNC_VERSION#v}" github.com/opencontainers/runc:runc
}

build_cni() {
  local specs=() p
  for p in main/bridge main/loopback main/host-device ipam/host-local meta/portmap meta/bandwidth meta/firewall; do
    specs+=("github.com/containernetworking/plugins/plugins/$p:cni-${p#*/}")
  done
  CGO_ENABLED=0 wrapper_build github.com/containernetworking/plugins "$CNI_PLUGINS_VERSION" "" "" "-s -w" "${specs[@]}"
  CGO_ENABLED=0 wrapper_build github.com/containernetworking/plugins "$FLANNEL_CNI_VERSION" "" "" "-s -w" \
    github.com/containernetworking/plugins/plugins/meta/flannel:cni-flannel
}

build_crictl() {
  CGO_ENABLED=0 wrapper_build sigs.k8s.io/cri-tools "$CRICTL_VERSION" "" "" \
    "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" sigs.k8s.io/cri-tools/cmd/crictl:crictl
}

# flanneld links every backend; the Tencent VPC one needs an SDK release the module proxy refuses (403), so the
# wrapper pins the newest release of that SDK package the proxy serves. The lane only runs the VXLAN backend. The UDP
# backend is C (cgo), so flanneld links Debian's glibc, which its image carries.
build_flannel() {
  CGO_ENABLED=1 wrapper_build github.com/flannel-io/flannel "$FLANNEL_VERSION" \
    "replace github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc => github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vpc v1.1.0" "" \
    "-s -w -X github.com/flannel-io/flannel/pkg/version.Version=$FLANNEL_VERSION" \
    github.com/flannel-io/flannel:flanneld
}

build_etcd() {
  local v="v${ETCD_IMAGE_VERSION%-*}"
  CGO_ENABLED=0 wrapper_build go.etcd.io/etcd/server/v3 "$v" "" "" "-s -w" go.etcd.io/etcd/server/v3:etcd
}

build_coredns() {
  CGO_ENABLED=0 wrapper_build github.com/coredns/coredns "$COREDNS_VERSION" "" "" "-s -w" \
    github.com/coredns/coredns:coredns
}

# The pause container is Kubernetes' own C program (build/pause/linux/pause.c in the module), linked statically.
build_pause() {
  local out="$VM_BIN_DIR/pause-$PAUSE_VERSION"
  [[ -x "$out" ]] && { vm_log "pause $PAUSE_VERSION cached"; return; }
  local zip; zip="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  gcc -Os -static -Wall -DVERSION="v$PAUSE_VERSION" -o "$out.tmp" "$zip/build/pause/linux/pause.c"
  strip "$out.tmp"; mv "$out.tmp" "$out"
}

# The lane's image tool (scripts/vm/imagetool): go-containerregistry writes OCI image archives from plain files.
build_imagetool() {
  local out="$VM_BIN_DIR/imagetool-$GGCR_VERSION" src; src="$here/imagetool"
  if [[ -x "$out" ]] && cmp -s "$src/main.go" "$VM_DIR/imagetool-$GGCR_VERSION.main.go"; then
    vm_log "imagetool cached"; return
  fi
  local tmp; tmp="$(mktemp -d)"
  cp "$src/main.go" "$tmp/"
  printf 'module lane/imagetool\n\ngo 1.26.0\n\nrequire github.com/google/go-containerregistry %s\n' "$GGCR_VERSION" >"$tmp/go.mod"
  (cd "$tmp" && go mod tidy >/dev/null 2>&1 && CGO_ENABLED=0 go build -trimpath -o "$out.tmp" .)
  mv "$out.tmp" "$out"; cp "$src/main.go" "$VM_DIR/imagetool-$GGCR_VERSION.main.go"; rm -rf "$tmp"
}

what="${1:-all}"
case "$what" in
  kube | containerd | runc | cni | crictl | flannel | etcd | coredns | pause | imagetool) "build_$what" ;;
  all) build_kube; build_containerd; build_runc; build_cni; build_crictl; build_pause; build_etcd; build_coredns; build_flannel; build_imagetool ;;
  *) echo "usage: $0 [kube|containerd|runc|cni|crictl|flannel|etcd|coredns|pause|imagetool|all]" >&2; exit 2 ;;
esac
