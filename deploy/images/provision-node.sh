#!/usr/bin/env bash
# Runs inside the Ubuntu 24.04 cloud VM that build-node-image.sh boots (as root, with internet access): downloads the
# exact releases (checksums verified), installs them with install-node.sh, and pre-pulls every image `kubeadm init`
# and the tenant CNI need, so a tenant node never reaches a registry. Leaves the VM clean for cloning, then powers off.
# Usage (from the payload disk): provision-node.sh PAYLOAD_DIR MINOR
set -euxo pipefail
payload="${1:?payload dir}"; minor="${2:?kubernetes minor}"
source "$payload/versions/common.env"; source "$payload/versions/$minor.env"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends qemu-guest-agent cloud-init conntrack socat ethtool ebtables ipset iptables \
  nftables ca-certificates curl
work="$(mktemp -d)"; stage="$work/stage"; cd "$work"
fetch() { curl -fsSL --retry 5 -o "$2" "$1"; }
# verify FILE EXPECTED_SHA256
verify() { echo "$2  $1" | sha256sum -c -; }

k8s="https://dl.k8s.io/release/$KUBE_VERSION/bin/linux/amd64"
for b in kubeadm kubelet kubectl; do
  fetch "$k8s/$b" "$b"; verify "$b" "$(curl -fsSL "$k8s/$b.sha256")"
  install -D -m 0755 "$b" "$stage/usr/bin/$b"
done
c="containerd-${CONTAINERD_VERSION#v}-linux-amd64.tar.gz"
fetch "https://github.com/containerd/containerd/releases/download/$CONTAINERD_VERSION/$c" "$c"
fetch "https://github.com/containerd/containerd/releases/download/$CONTAINERD_VERSION/$c.sha256sum" "$c.sha256sum"
sha256sum -c "$c.sha256sum"
mkdir -p "$stage/usr/local"; tar -C "$stage/usr/local" -xzf "$c" bin/containerd bin/containerd-shim-runc-v2 bin/ctr
fetch "https://github.com/opencontainers/runc/releases/download/$RUNC_VERSION/runc.amd64" runc.amd64
fetch "https://github.com/opencontainers/runc/releases/download/$RUNC_VERSION/runc.sha256sum" runc.sha256sum
grep ' runc.amd64$' runc.sha256sum | sha256sum -c -
install -D -m 0755 runc.amd64 "$stage/usr/local/sbin/runc"
p="cni-plugins-linux-amd64-$CNI_PLUGINS_VERSION.tgz"
fetch "https://github.com/containernetworking/plugins/releases/download/$CNI_PLUGINS_VERSION/$p" "$p"
fetch "https://github.com/containernetworking/plugins/releases/download/$CNI_PLUGINS_VERSION/$p.sha256" "$p.sha256"
sha256sum -c "$p.sha256"
mkdir -p "$stage/opt/cni/bin"; tar -C "$stage/opt/cni/bin" -xzf "$p"
f="cni-plugin-flannel-linux-amd64-$FLANNEL_CNI_PLUGIN_VERSION.tgz"
fetch "https://github.com/flannel-io/cni-plugin/releases/download/$FLANNEL_CNI_PLUGIN_VERSION/$f" "$f"
fetch "https://github.com/flannel-io/cni-plugin/releases/download/$FLANNEL_CNI_PLUGIN_VERSION/$f.sha256" "$f.sha256" \
  && sha256sum -c "$f.sha256"
tar -xzf "$f"; install -D -m 0755 flannel-amd64 "$stage/opt/cni/bin/flannel"
t="crictl-$CRICTL_VERSION-linux-amd64.tar.gz"
fetch "https://github.com/kubernetes-sigs/cri-tools/releases/download/$CRICTL_VERSION/$t" "$t"
fetch "https://github.com/kubernetes-sigs/cri-tools/releases/download/$CRICTL_VERSION/$t.sha256" "$t.sha256"
verify "$t" "$(cut -d' ' -f1 "$t.sha256")"
mkdir -p "$stage/usr/local/bin"; tar -C "$stage/usr/local/bin" -xzf "$t" crictl

pause="$("$stage/usr/bin/kubeadm" config images list --kubernetes-version "$KUBE_VERSION" | sed -n 's|.*/pause:||p')"
bash "$payload/install-node.sh" / "$stage" "$pause" "$FLANNEL_VERSION"
systemctl daemon-reload
systemctl start containerd
kubeadm config images pull --kubernetes-version "$KUBE_VERSION" --cri-socket unix:///run/containerd/containerd.sock
ctr -n k8s.io images pull "ghcr.io/flannel-io/flannel:$FLANNEL_VERSION"
# Every image the node will ask for is present: kubeadm's list plus the CNI's.
for image in $(kubeadm config images list --kubernetes-version "$KUBE_VERSION") "ghcr.io/flannel-io/flannel:$FLANNEL_VERSION"; do
  ctr -n k8s.io images ls -q | grep -qx "$image"
done
kubeadm version -o short | grep -qx "$KUBE_VERSION"

# Clean for cloning: no machine identity, no cloud-init state, no package caches.
systemctl stop kubelet containerd || true
apt-get clean; rm -rf /var/lib/apt/lists/* "$work"
cloud-init clean --logs --seed
: >/etc/machine-id; rm -f /var/lib/dbus/machine-id /etc/ssh/ssh_host_*
fstrim -av || true
echo KUBELABS-PROVISION-OK >/dev/ttyS0 || true
