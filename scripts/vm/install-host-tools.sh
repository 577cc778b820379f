#!/usr/bin/env bash
# Installs the host tools the VM lane needs from Debian's packages (qemu, debootstrap, mkfs, the seed-disk writer).
# Nothing installed by hand survives on CI machines, so every scripts/vm step calls this first; installed tools are
# skipped, and `apt-get update` runs only when something is missing.
set -euo pipefail
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v genisoimage >/dev/null || need+=(genisoimage)
command -v flock >/dev/null || need+=(util-linux)
command -v ip >/dev/null || need+=(iproute2)
((${#need[@]} == 0)) && exit 0
if [[ $(id -u) -ne 0 ]]; then echo "install-host-tools: missing ${need[*]} and not root" >&2; exit 1; fi
echo "[vm-build] apt-get install ${need[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
