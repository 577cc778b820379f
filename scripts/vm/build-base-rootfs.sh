#!/usr/bin/env bash
# A Debian 12 root filesystem for the VM lane's nodes, made with debootstrap from Debian's packages: systemd,
# cloud-init, the cloud kernel, sshd, the qemu guest agent and the userland kubeadm's preflight and kube-proxy use.
# Cached as $VM_DIR/base-<suite>-<hash>/ (the hash covers this script); prints that path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"
bash "$here/install-host-tools.sh"
key="$({ cat "$here/build-base-rootfs.sh"; echo "$DEBIAN_SUITE $DEBIAN_MIRROR"; } | sha256sum | cut -c1-12)"
out="$VM_DIR/base-$DEBIAN_SUITE-$key"
vm_lock base-rootfs
if [[ -f "$out/.complete" ]]; then echo "$out"; exit 0; fi

packages=(
  systemd-sysv udev dbus kmod procps iproute2 ifupdown isc-dhcp-client iputils-ping ca-certificates sudo less
  linux-image-cloud-amd64 initramfs-tools
  cloud-init python3-cffi-backend openssh-server qemu-guest-agent
  # What kubeadm's preflight, the kubelet and the tenant's network need on the node.
  iptables nftables conntrack socat ethtool ebtables ipset mount util-linux e2fsprogs libseccomp2
  # A static shell and coreutils for the locally built CNI image's install step.
  busybox-static
)
tmp="$out.tmp"
rm -rf "$tmp"
start=$SECONDS
vm_log "debootstrap $DEBIAN_SUITE into $tmp (a few minutes)"
debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" "$DEBIAN_SUITE" "$tmp" "$DEBIAN_MIRROR" >"$VM_DIR/debootstrap.log" 2>&1 \
  || { tail -20 "$VM_DIR/debootstrap.log" >&2; exit 1; }
# debootstrap leaves python3-cryptography (and with it cloud-init) unconfigured until the cffi backend is set up.
chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive dpkg --configure -a >>"$VM_DIR/debootstrap.log" 2>&1 || true
chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -f -qq python3-cffi-backend >>"$VM_DIR/debootstrap.log" 2>&1
if chroot "$tmp" dpkg -l | grep -E '^(iU|iF|iH)' >&2; then vm_log "packages left unconfigured"; exit 1; fi
chroot "$tmp" apt-get clean
rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/*.bin
touch "$tmp/.complete"
rm -rf "$out"; mv "$tmp" "$out"
vm_log "base root filesystem ready in $((SECONDS - start)) s: $out"
echo "$out"
