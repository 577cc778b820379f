// I/O: the lane's node disk, built (or found cached) by scripts/vm/build-node-disk.sh. Cold, that builds the Debian
// base, every node binary and the images (tens of minutes on two cores); cached, it only hashes its inputs.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@kubelabs/testing';

export interface NodeDisk {
  dir: string;
  disk: string;
  /** The lane's disk has no boot loader: qemu boots its kernel directly. A production image boots by itself. */
  kernel?: string;
  initrd?: string;
  images: string[];
  /** Seconds the build script took this time (a cached disk: a few). */
  buildSeconds: number;
}

export async function ensureNodeDisk(): Promise<NodeDisk> {
  // A built production image to check instead (deploy/images/check-node-image.sh sets it).
  const given = process.env.KUBELABS_NODE_IMAGE_DISK;
  if (given) return { dir: given, disk: given, images: [], buildSeconds: 0 };
  const started = Date.now();
  const dir = await new Promise<string>((resolve, reject) => {
    const child = spawn('nice', ['-n', '19', 'bash', join(repoRoot, 'scripts/vm/build-node-disk.sh')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out.trim().split('\n').at(-1) ?? '')
        : reject(new Error(`build-node-disk.sh failed (${code})`)),
    );
  });
  const disk = join(dir, 'node.qcow2');
  if (!existsSync(disk)) throw new Error(`build-node-disk.sh printed ${dir}, which holds no node.qcow2`);
  return {
    dir,
    disk,
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
    images: readFileSync(join(dir, 'images.txt'), 'utf8').trim().split('\n'),
    buildSeconds: Math.round((Date.now() - started) / 1000),
  };
}
