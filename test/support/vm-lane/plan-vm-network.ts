// Pure: what the VM lane gives each tenant node besides the provisioner's user data, i.e. what KubeVirt and the host
// cluster give a real VM: its hostname (meta-data), an address on the tenant's private network (KubeVirt's DHCP on
// the bridge binding; here a static NoCloud network-config), and the host cluster's DNS answer for the tenant API
// Service name (here vendor data writing /etc/hosts, which the user data never touches).
import { stringify } from 'yaml';

export interface VmNodeInput {
  name: string;
  role: 'control-plane' | 'worker';
  hostname: string;
}

export interface VmNodePlan {
  name: string;
  role: 'control-plane' | 'worker';
  address: string;
  lanMac: string;
  /** The control plane's second NIC: qemu user networking, only for forwarding the API port to the test. */
  uplinkMac?: string;
  metaData: string;
  networkConfig: string;
  vendorData: string;
}

export interface PlanVmNetworkInput {
  tenantId: string;
  nodes: VmNodeInput[];
  /** The name the workers join and the kubeconfig verifies: kubeApiHost(tenant, domain). */
  apiHost: string;
  /** The private network's first three octets; hosts get .10, .11, ... in node order. */
  subnetPrefix?: string;
}

/** The tenant network's gateway: no machine answers there; it only gives the nodes a default route, which the kubelet
 *  and flannel pick their node address from (the private NIC, not the uplink). */
const gatewayHost = 1;

export function planVmNetwork(input: PlanVmNetworkInput): VmNodePlan[] {
  const prefix = input.subnetPrefix ?? '10.77.0';
  const controlPlanes = input.nodes.filter((n) => n.role === 'control-plane');
  if (controlPlanes.length !== 1) throw new Error(`a tenant has one control plane, got ${controlPlanes.length}`);
  if (input.nodes.length > 200) throw new Error('at most 200 nodes on one lane network');
  const addressOf = (index: number) => `${prefix}.${10 + index}`;
  const apiAddress = addressOf(input.nodes.findIndex((n) => n.role === 'control-plane'));
  return input.nodes.map((node, index) => {
    const address = addressOf(index);
    const lanMac = mac(0, index);
    const uplinkMac = node.role === 'control-plane' ? mac(1, index) : undefined;
    const ethernets: Record<string, unknown> = {
      lan: {
        match: { macaddress: lanMac },
        'set-name': 'eth0',
        addresses: [`${address}/24`],
        gateway4: `${prefix}.${gatewayHost}`,
      },
    };
    // qemu's user network answers 10.0.2.15 only; no default route there, so nothing but the forwarded port uses it.
    if (uplinkMac)
      ethernets.uplink = { match: { macaddress: uplinkMac }, 'set-name': 'eth1', addresses: ['10.0.2.15/24'] };
    const hostsLine = `${apiAddress} ${input.apiHost}`;
    return {
      name: node.name,
      role: node.role,
      address,
      lanMac,
      ...(uplinkMac ? { uplinkMac } : {}),
      metaData: stringify({ 'instance-id': `${input.tenantId}-${node.name}`, 'local-hostname': node.hostname }),
      networkConfig: stringify({ version: 2, ethernets }),
      vendorData: `#cloud-config\n${stringify({
        // Only the node's own name (127.0.1.1, as Debian and Ubuntu images have it); the Service line stays.
        manage_etc_hosts: 'localhost',
        bootcmd: [`grep -qF '${hostsLine}' /etc/hosts || echo '${hostsLine}' >>/etc/hosts`],
      })}`,
    };
  });
}

function mac(nic: number, index: number): string {
  return `52:54:00:77:${nic.toString(16).padStart(2, '0')}:${(10 + index).toString(16).padStart(2, '0')}`;
}
