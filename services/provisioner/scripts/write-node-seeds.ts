// CLI: writes a tenant's rendered node user data (and the student's kubeconfig) for one catalog lab into a folder, for
// the node image's check script and for people validating cloud-init by hand (`cloud-init schema --config-file`).
// Usage: node dist/services/provisioner/scripts/write-node-seeds.js <lab.yaml> <kubernetes minor> <out dir> [tenant id]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabFile } from '@kubelabs/catalog';
import { renderNodeSeeds } from './render-node-seeds';

async function main(): Promise<void> {
  const [labFile, version, outDir, tenantId = 't-image-check'] = process.argv.slice(2);
  if (!labFile || !version || !outDir) {
    console.error('usage: write-node-seeds <lab.yaml> <kubernetes minor> <out dir> [tenant id]');
    process.exit(2);
  }
  const parsed = parseLabFile(labFile, readFileSync(labFile, 'utf8'));
  if (!('lab' in parsed)) {
    console.error(`${labFile}: not a valid lab (npm run catalog:load -- --check says why)`);
    process.exit(1);
  }
  const seeds = await renderNodeSeeds({ lab: parsed.lab, tenantId, kubernetesVersion: version });
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  for (const node of seeds.nodes) {
    writeFileSync(join(outDir, `${node.hostname}.user-data`), node.userData, { mode: 0o600 });
  }
  writeFileSync(join(outDir, 'kubeconfig'), seeds.kubeconfig, { mode: 0o600 });
  writeFileSync(
    join(outDir, 'nodes.json'),
    `${JSON.stringify({ apiHost: seeds.apiHost, namespace: seeds.namespace, nodes: seeds.nodes.map(({ name, role, hostname, cpu, memoryMiB }) => ({ name, role, hostname, cpu, memoryMiB })) }, null, 2)}\n`,
  );
  console.log(outDir);
}

void main();
