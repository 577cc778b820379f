#!/usr/bin/env bash
# Assembles the VM lane's node disk: the cached Debian base, the node binaries (build-node-binaries.sh), the node
# files shared with the production recipe (deploy/images/node/), the control-plane, CoreDNS, pause and flannel images
# built locally as OCI archives and imported into the disk's containerd, then an ext4 file system turned into qcow2.
# The lane boots it with its own kernel and initrd (direct kernel boot; the production image has a boot loader).
# Cached by content under $VM_DIR/disk/; prints the directory holding node.qcow2, vmlinuz, initrd.img, images.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root_dir="$(cd "$here/../.." && pwd)"
source "$here/versions.sh"
node_files="$root_dir/deploy/images/node"

base="$(bash "$here/build-base-rootfs.sh")"
bash "$here/build-node-binaries.sh" all
key="$({ cat "$here"/versions.sh "$here"/build-node-disk.sh "$here"/imagetool/main.go; echo "$base";
  find "$node_files" "$root_dir/deploy/images/install-node.sh" -type f | sort | xargs cat; } | sha256sum | cut -c1-12)"
out="$VM_DIR/disk/node-$KUBE_VERSION-$key"
vm_lock node-disk
if [[ -f "$out/node.qcow2" ]]; then echo "$out"; exit 0; fi
start=$SECONDS
work="$VM_DIR/work-$key"
rm -rf "$work"; mkdir -p "$work/images"
rootfs="$work/rootfs"
vm_log "copying the base root filesystem"
cp -a "$base" "$rootfs"; rm -f "$rootfs/.complete"
bin() { echo "$VM_BIN_DIR/$1-$2"; }

vm_log "installing the node binaries and files (deploy/images/install-node.sh, as the production image does)"
stage="$work/stage"
install -D "$(bin kubeadm "$KUBE_VERSION")" "$stage/usr/bin/kubeadm"
install -D "$(bin kubelet "$KUBE_VERSION")" "$stage/usr/bin/kubelet"
install -D "$(bin kubectl "$KUBE_VERSION")" "$stage/usr/bin/kubectl"
for b in containerd containerd-shim-runc-v2 ctr; do install -D "$(bin $b "$CONTAINERD_VERSION")" "$stage/usr/local/bin/$b"; done
install -D "$(bin runc "$RUNC_VERSION")" "$stage/usr/local/sbin/runc"
install -D "$(bin crictl "$CRICTL_VERSION")" "$stage/usr/local/bin/crictl"
for p in bridge loopback host-device host-local portmap bandwidth firewall; do
  install -D "$(bin "cni-$p" "$CNI_PLUGINS_VERSION")" "$stage/opt/cni/bin/$p"
done
install -D "$(bin cni-flannel "$FLANNEL_CNI_VERSION")" "$stage/opt/cni/bin/flannel"
bash "$root_dir/deploy/images/install-node.sh" "$rootfs" "$stage" "$PAUSE_VERSION" "$FLANNEL_VERSION"
chroot "$rootfs" systemctl mask e2scrub_all.timer fstrim.timer >/dev/null 2>&1 || true
# The lane boots the disk with its own kernel (no boot loader): the root file system is found by its label.
echo 'LABEL=kubelabs-root / ext4 defaults,discard 0 1' >"$rootfs/etc/fstab"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
# debootstrap copied this machine's resolver; a node learns its own from its network (DHCP on KubeVirt).
rm -f "$rootfs/etc/resolv.conf"; : >"$rootfs/etc/resolv.conf"
# Every VM booted from this disk gets its own identity: machine id and SSH host keys are made on first boot.
: >"$rootfs/etc/machine-id"; rm -f "$rootfs"/etc/ssh/ssh_host_*

# Layers the images share: busybox (cp, sh) and iptables/nft with the libraries they load, taken from the node's own
# Debian packages, for flanneld and kube-proxy, which program the node's netfilter through these tools.
netbase="$work/layers/netbase"
mkdir -p "$netbase"/usr/{bin,sbin,lib,lib64} "$netbase/etc" "$netbase/run" "$netbase/tmp"; chmod 1777 "$netbase/tmp"
for l in bin sbin lib lib64; do ln -s "usr/$l" "$netbase/$l"; done
copy_with_libs() {
  local f real dep merged
  for f in "$@"; do
    for dep in "$f" $(chroot "$rootfs" ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true); do
      real="$(chroot "$rootfs" readlink -f "$dep")"
      mkdir -p "$netbase$(dirname "$real")"; cp -L "$rootfs$real" "$netbase$real"
      # Debian is usr-merged: /lib64/x is /usr/lib64/x (the loader path compiled into every binary) and so on.
      merged="$dep"; [[ "$merged" == /usr/* ]] || merged="/usr$merged"
      if [[ "$merged" != "$real" ]]; then mkdir -p "$netbase$(dirname "$merged")"; ln -sf "$real" "$netbase$merged"; fi
    done
  done
}
copy_with_libs /usr/sbin/xtables-nft-multi /usr/sbin/xtables-legacy-multi /usr/sbin/nft /usr/sbin/ipset
cp -a "$rootfs/usr/lib/x86_64-linux-gnu/xtables" "$netbase/usr/lib/x86_64-linux-gnu/"
for t in iptables ip6tables; do
  for s in "" -save -restore; do
    ln -sf xtables-nft-multi "$netbase/usr/sbin/$t$s"; ln -sf xtables-nft-multi "$netbase/usr/sbin/$t-nft$s"
    ln -sf xtables-legacy-multi "$netbase/usr/sbin/$t-legacy$s"
  done
done
cp "$rootfs/usr/bin/busybox" "$netbase/usr/bin/busybox"
for a in sh cp cat ls mkdir rm mv ln echo sleep; do ln -sf busybox "$netbase/usr/bin/$a"; done
cp "$rootfs"/etc/{protocols,services,ethertypes} "$netbase/etc/" 2>/dev/null || true

imagetool="$(bin imagetool "$GGCR_VERSION")"
image() { # image <archive> <tag> [imagetool flags] -- <layer dir>...
  local file="$work/images/$1" tag="$2"; shift 2
  "$imagetool" -tag "$tag" -out "$file" "$@"
  echo "$tag" >>"$work/images.txt"
}
layer_with() { # layer_with <name> <path in image> <source file>
  local dir="$work/layers/$1"; mkdir -p "$dir$(dirname "$2")"; install -m 0755 "$3" "$dir$2"; echo "$dir"
}
vm_log "building the node's container images"
: >"$work/images.txt"
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  image "$c.tar" "registry.k8s.io/$c:$KUBE_VERSION" "$(layer_with "$c" "/usr/local/bin/$c" "$(bin "$c" "$KUBE_VERSION")")"
done
image kube-proxy.tar "registry.k8s.io/kube-proxy:$KUBE_VERSION" "$netbase" \
  "$(layer_with kube-proxy /usr/local/bin/kube-proxy "$(bin kube-proxy "$KUBE_VERSION")")"
image etcd.tar "registry.k8s.io/etcd:$ETCD_IMAGE_VERSION" \
  "$(layer_with etcd /usr/local/bin/etcd "$(bin etcd "v${ETCD_IMAGE_VERSION%-*}")")"
image coredns.tar "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" -entrypoint /coredns \
  "$(layer_with coredns /coredns "$(bin coredns "$COREDNS_VERSION")")"
image pause.tar "registry.k8s.io/pause:$PAUSE_VERSION" -entrypoint /pause \
  "$(layer_with pause /pause "$(bin pause "$PAUSE_VERSION")")"
image flannel.tar "ghcr.io/flannel-io/flannel:$FLANNEL_VERSION" -entrypoint /opt/bin/flanneld "$netbase" \
  "$(layer_with flannel /opt/bin/flanneld "$(bin flanneld "$FLANNEL_VERSION")")"
# What this kubeadm will ask for must all be there: a missing image would make `kubeadm init` reach for a registry.
"$(bin kubeadm "$KUBE_VERSION")" config images list --kubernetes-version "$KUBE_VERSION" 2>/dev/null | while read -r want; do
  grep -qx "$want" "$work/images.txt" || { vm_log "kubeadm wants $want, which the lane does not build"; exit 1; }
done

# The images go into the disk's own containerd store, unpacked, by the same containerd run on this machine against the
# root filesystem's /var/lib/containerd; the node starts with them as if pulled.
vm_log "importing the images into the node's containerd"
state="$(mktemp -d /run/kubelabs-containerd.XXXXXX)"
printf 'version = 3\nroot = "%s"\nstate = "%s"\n[grpc]\n  address = "%s/containerd.sock"\n[ttrpc]\n  address = "%s/containerd.sock.ttrpc"\n' \
  "$rootfs/var/lib/containerd" "$state" "$state" "$state" >"$state/config.toml"
"$(bin containerd "$CONTAINERD_VERSION")" --config "$state/config.toml" >"$work/containerd.log" 2>&1 &
containerd_pid=$!
trap 'kill $containerd_pid 2>/dev/null || true; wait $containerd_pid 2>/dev/null || true; umount -R "$state" 2>/dev/null || true' EXIT
ctr=("$(bin ctr "$CONTAINERD_VERSION")" --address "$state/containerd.sock" -n k8s.io)
for _ in $(seq 1 100); do "${ctr[@]}" version >/dev/null 2>&1 && break; sleep 0.2; done
for f in "$work"/images/*.tar; do "${ctr[@]}" images import --no-unpack=false --snapshotter overlayfs "$f" >/dev/null; done
# What the kubelet will see: the CRI's own image list, not only containerd's.
"$(bin crictl "$CRICTL_VERSION")" --runtime-endpoint "unix://$state/containerd.sock" images -o json \
  | python3 -c 'import json,sys; [print(t) for i in json.load(sys.stdin)["images"] for t in i.get("repoTags") or []]' \
  | sort >"$work/imported.txt"
kill "$containerd_pid"; wait "$containerd_pid" 2>/dev/null || true; trap - EXIT
rm -rf "$state"
while read -r want; do grep -qx "$want" "$work/imported.txt" || { vm_log "image $want was not imported"; exit 1; }; done <"$work/images.txt"

vm_log "writing the disk"
tmp="$out.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
cp "$rootfs"/boot/vmlinuz-* "$tmp/vmlinuz"; cp "$rootfs"/boot/initrd.img-* "$tmp/initrd.img"
cp "$work/images.txt" "$tmp/images.txt"
size_mib=$(( $(du -sm "$rootfs" | cut -f1) + 6144 ))
mkfs.ext4 -q -L kubelabs-root -d "$rootfs" "$work/node.raw" "${size_mib}M"
qemu-img convert -O qcow2 "$work/node.raw" "$tmp/node.qcow2"
rm -rf "$out"; mv "$tmp" "$out"; rm -rf "$work"
vm_log "node disk ready in $((SECONDS - start)) s: $out"
echo "$out"
