#!/usr/bin/env bash
# Checks a built node disk the way the platform will use it: boots it with qemu and a NoCloud seed holding the
# provisioner's rendered user data for a one-node tenant (the sandbox lab) of that Kubernetes minor, and waits for
# the bootstrap marker (test/vm/node-image-check.vm.spec.ts). Without arguments it checks the VM lane's Debian disk,
# which is what CI runs.   Usage: deploy/images/check-node-image.sh [disk.qcow2 minor]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ $# -ge 2 ]]; then export KUBELABS_NODE_IMAGE_DISK="$(realpath "$1")" KUBELABS_NODE_IMAGE_MINOR="$2"; fi
cd "$root"
exec bash scripts/run.sh test-vm test/vm/node-image-check.vm.spec.ts
