#!/usr/bin/env bash
# Builds the kubelabs node image for one Kubernetes minor, as a KubeVirt containerDisk (a scratch image holding
# /disk/kubelabs-node-<minor>.qcow2), on a machine with internet access, qemu (KVM strongly advised) and docker or
# podman. The Ubuntu 24.04 cloud image boots once with a NoCloud seed that runs provision-node.sh from a payload
# disk, powers off, and the disk becomes the containerDisk. check-node-image.sh then boots the result with a tenant's
# rendered user data and waits for the bootstrap marker; --push pushes only after that check passed.
# Usage: deploy/images/build-node-image.sh <minor> [--push]    (NODE_IMAGE_REPO, default quay.io/kubelabs/ubuntu-kubeadm)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
minor="${1:?usage: build-node-image.sh <minor> [--push]}"; push="${2:-}"
[[ -f "$here/versions/$minor.env" ]] || { echo "no deploy/images/versions/$minor.env: Kubernetes $minor is not offered" >&2; exit 2; }
source "$here/versions/common.env"; source "$here/versions/$minor.env"
repo="${NODE_IMAGE_REPO:-quay.io/kubelabs/ubuntu-kubeadm}"
out="${NODE_IMAGE_OUT:-$here/out}"; mkdir -p "$out"
engine="$(command -v podman || command -v docker || true)"
for tool in qemu-system-x86_64 qemu-img genisoimage curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "build-node-image: $tool is required" >&2; exit 1; }
done
[[ -n "$engine" ]] || { echo "build-node-image: docker or podman is required" >&2; exit 1; }
accel=(-accel tcg,thread=multi -cpu max)
[[ -w /dev/kvm ]] && accel=(-accel kvm -cpu host)

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
base="$out/$(basename "$UBUNTU_IMAGE_URL")"
if [[ ! -f "$base" ]]; then curl -fsSL --retry 5 -o "$base.tmp" "$UBUNTU_IMAGE_URL" && mv "$base.tmp" "$base"; fi
(cd "$out" && curl -fsSL "$UBUNTU_SUMS_URL" | grep " \*\?$(basename "$UBUNTU_IMAGE_URL")\$" | sed 's/ \*/  /' | sha256sum -c -)

disk="$work/node.qcow2"
qemu-img convert -O qcow2 "$base" "$disk"
qemu-img resize -q "$disk" 12G
# The payload: this folder (install-node.sh, provision-node.sh, node/, versions/) as a read-only disk.
genisoimage -quiet -output "$work/payload.iso" -volid kubelabs -joliet -rock \
  -graft-points install-node.sh="$here/install-node.sh" provision-node.sh="$here/provision-node.sh" \
  node="$here/node" versions="$here/versions"
mkdir -p "$work/seed"
cat >"$work/seed/user-data" <<USERDATA
#cloud-config
runcmd:
  - mkdir -p /mnt/payload && mount -o ro /dev/disk/by-label/kubelabs /mnt/payload
  - bash /mnt/payload/provision-node.sh /mnt/payload $minor >/var/log/kubelabs-provision.log 2>&1 || echo KUBELABS-PROVISION-FAILED >/dev/ttyS0
  - umount /mnt/payload; cloud-init clean --logs --seed; poweroff
USERDATA
printf 'instance-id: kubelabs-image-build\nlocal-hostname: kubelabs-image-build\n' >"$work/seed/meta-data"
genisoimage -quiet -output "$work/seed.iso" -volid cidata -joliet -rock "$work/seed"

start=$SECONDS
echo "[node-image] provisioning Kubernetes $KUBE_VERSION on Ubuntu $UBUNTU_RELEASE (${accel[1]})" >&2
timeout 3600 qemu-system-x86_64 "${accel[@]}" -machine q35 -smp 2 -m 4096 -display none -nodefaults \
  -serial "file:$work/console.log" -drive "file=$disk,if=virtio,format=qcow2" \
  -drive "file=$work/seed.iso,if=virtio,format=raw,readonly=on" \
  -drive "file=$work/payload.iso,if=virtio,format=raw,readonly=on" \
  -netdev user,id=net0 -device virtio-net-pci,netdev=net0 -device virtio-rng-pci
grep -q KUBELABS-PROVISION-OK "$work/console.log" || { tail -50 "$work/console.log" >&2; echo "provisioning failed" >&2; exit 1; }

name="kubelabs-node-$minor.qcow2"
qemu-img convert -c -O qcow2 "$disk" "$out/$name"
echo "[node-image] disk ready in $((SECONDS - start)) s: $out/$name" >&2
bash "$here/check-node-image.sh" "$out/$name" "$minor"

# A containerDisk: KubeVirt runs the disk as the qemu user (107).
printf 'FROM scratch\nADD --chown=107:107 %s /disk/%s\n' "$name" "$name" >"$out/Containerfile"
"$engine" build -f "$out/Containerfile" -t "$repo:$minor" -t "$repo:${KUBE_VERSION#v}" "$out"
if [[ "$push" == --push ]]; then "$engine" push "$repo:$minor"; "$engine" push "$repo:${KUBE_VERSION#v}"; fi
echo "$repo:$minor"
