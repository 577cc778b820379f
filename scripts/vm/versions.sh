# The VM lane's pinned versions, sourced by every scripts/vm step; a change here is a new cache key (nothing is
# rebuilt in place). KUBE_VERSION is the exact patch the node image ships; the image tags are what its kubeadm lists.
KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.2.10}"
RUNC_VERSION="${RUNC_VERSION:-v1.4.4}"
CNI_PLUGINS_VERSION="${CNI_PLUGINS_VERSION:-v1.9.1}"
# The flannel CNI plugin left containernetworking/plugins in v1.0.0; its new home (flannel-io/cni-plugin) is not on
# the module proxy, so the lane builds the last upstream copy of it.
FLANNEL_CNI_VERSION="${FLANNEL_CNI_VERSION:-v0.9.1}"
FLANNEL_VERSION="${FLANNEL_VERSION:-v0.28.11}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.37.0}"
ETCD_IMAGE_VERSION="${ETCD_IMAGE_VERSION:-3.6.8-0}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.14.2}"
PAUSE_VERSION="${PAUSE_VERSION:-3.10.2}"
GGCR_VERSION="${GGCR_VERSION:-v0.21.8}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

CACHE_DIR="${KUBELABS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubelabs}"
VM_DIR="$CACHE_DIR/vm"
VM_BIN_DIR="$VM_DIR/bin"
mkdir -p "$VM_BIN_DIR"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

vm_log() { printf '[vm-build] %s\n' "$*" >&2; }

# One build of a step at a time per cache: a second caller waits, then finds the result cached.
vm_lock() {
  exec 8>"$VM_DIR/.$1.lock"
  flock 8
}
