#!/usr/bin/env bash
# Turns a root file system into a kubelabs node: one recipe for the production image (run inside the Ubuntu VM being
# built, ROOT=/) and the VM lane's Debian disk (run on a chroot directory). It installs the binaries staged in STAGE
# (kubeadm/kubelet/kubectl, containerd, runc, the CNI plugins, crictl), the node files beside this script (systemd
# units, containerd config, kernel modules, sysctls, cloud-init settings) and the tenant CNI manifest at the path the
# bootstrap applies (/etc/kubelabs/cni.yaml), then enables the services. Images are the caller's job.
# Usage: install-node.sh ROOT STAGE PAUSE_VERSION FLANNEL_VERSION
set -euo pipefail
root="${1:?root file system}"; stage="${2:?staged binaries}"; pause_version="${3:?pause image version}"
flannel_version="${4:?flannel version}"
files="$(cd "$(dirname "${BASH_SOURCE[0]}")/node" && pwd)"

for f in usr/bin/kubeadm usr/bin/kubelet usr/bin/kubectl usr/local/bin/containerd usr/local/bin/containerd-shim-runc-v2 \
  usr/local/bin/ctr usr/local/bin/crictl usr/local/sbin/runc opt/cni/bin/bridge opt/cni/bin/host-local \
  opt/cni/bin/loopback opt/cni/bin/portmap opt/cni/bin/flannel; do
  [[ -x "$stage/$f" ]] || { echo "install-node: $stage/$f is missing" >&2; exit 1; }
done
(cd "$stage" && find . -type f) | while read -r f; do install -D -m 0755 "$stage/$f" "$root/${f#./}"; done

install -D -m 0644 "$files/systemd/containerd.service" "$root/etc/systemd/system/containerd.service"
install -D -m 0644 "$files/systemd/kubelet.service" "$root/etc/systemd/system/kubelet.service"
install -D -m 0644 "$files/systemd/10-kubeadm.conf" "$root/etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
install -d "$root/etc/containerd" "$root/etc/kubelabs" "$root/etc/cni/net.d" "$root/var/lib/kubelabs" \
  "$root/etc/modules-load.d" "$root/etc/sysctl.d" "$root/etc/cloud/cloud.cfg.d"
sed "s/@PAUSE_VERSION@/$pause_version/" "$files/etc/containerd-config.toml" >"$root/etc/containerd/config.toml"
install -m 0644 "$files/etc/crictl.yaml" "$root/etc/crictl.yaml"
install -m 0644 "$files/etc/modules-load-kubernetes.conf" "$root/etc/modules-load.d/kubernetes.conf"
install -m 0644 "$files/etc/sysctl-kubernetes.conf" "$root/etc/sysctl.d/90-kubernetes.conf"
install -m 0644 "$files/etc/cloud-kubelabs.cfg" "$root/etc/cloud/cloud.cfg.d/90-kubelabs.cfg"
echo 'LANG=C.UTF-8' >"$root/etc/default/locale"
sed "s/@FLANNEL_VERSION@/$flannel_version/" "$files/cni/flannel.yaml" >"$root/etc/kubelabs/cni.yaml"

chroot "$root" systemctl enable containerd.service kubelet.service qemu-guest-agent.service >/dev/null 2>&1 || true
# Nothing on a lab node should wake up to update packages in the middle of a session.
chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true
for unit in containerd kubelet; do
  [[ -L "$root/etc/systemd/system/multi-user.target.wants/$unit.service" ]] || { echo "install-node: $unit not enabled" >&2; exit 1; }
done
