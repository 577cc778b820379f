// I/O only: runs a check's script as root on a tenant node over SSH with the platform's key (ssh2, already the
// platform's SSH library). Workers are not reachable from the host cluster, only the control plane's SSH Service is:
// they are reached through it (a direct-tcpip channel, like `ssh -J`). Everything is bounded by one deadline; a
// script that hangs is cut off and reported as timed out, never waited for.
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { SshRun } from './evaluate-check';

export interface SshAccess {
  /** Where the control plane's SSH answers, as the platform reaches it. */
  host: string;
  port: number;
  /** The platform's account on every node (passwordless sudo), and its private key (OpenSSH or PEM). */
  username: string;
  privateKey: string;
  /** The tenant's SSH host key (`ecdsa-sha2-nistp256 AAAA...`), when known: the server must present it. */
  hostPublicKey?: string;
}

export interface SshTarget {
  node: string;
  /** The node's address inside the tenant network, for workers (reached through the control plane). */
  address?: string;
  viaControlPlane: boolean;
}

const outputTailBytes = 4096;

export async function runSshScript(
  access: SshAccess,
  target: SshTarget,
  script: string,
  timeoutMs: number,
): Promise<SshRun> {
  const clients: Client[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<SshRun>((resolve) => {
    timer = setTimeout(() => resolve({ node: target.node, exitCode: null, timedOut: true, output: '' }), timeoutMs);
  });
  const attempt = (async (): Promise<SshRun> => {
    const first = await connect(access, { host: access.host, port: access.port }, clients, timeoutMs);
    let shell = first;
    if (target.viaControlPlane) {
      if (!target.address)
        return { node: target.node, exitCode: null, timedOut: false, output: '', error: 'the node has no address' };
      const sock = await new Promise<ClientChannel>((resolve, reject) =>
        first.forwardOut('127.0.0.1', 0, target.address!, 22, (error, channel) =>
          error ? reject(error) : resolve(channel),
        ),
      );
      shell = await connect(access, { sock }, clients, timeoutMs);
    }
    return execute(shell, target.node, script);
  })().catch((error: unknown): SshRun => ({
    node: target.node,
    exitCode: null,
    timedOut: false,
    output: '',
    error: `ssh: ${(error as Error).message}`,
  }));
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    for (const client of clients.toReversed()) client.end();
  }
}

function connect(
  access: SshAccess,
  where: Partial<ConnectConfig>,
  clients: Client[],
  timeoutMs: number,
): Promise<Client> {
  const client = new Client();
  clients.push(client);
  return new Promise<Client>((resolve, reject) => {
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({
      ...where,
      username: access.username,
      privateKey: access.privateKey,
      readyTimeout: timeoutMs,
      ...(access.hostPublicKey ? { hostVerifier: (key: Buffer) => sameHostKey(key, access.hostPublicKey!) } : {}),
    });
  });
}

/** Runs the script through `sudo bash -s` with the script on stdin (no quoting of user text into a command line). */
function execute(client: Client, node: string, script: string): Promise<SshRun> {
  return new Promise<SshRun>((resolve, reject) => {
    client.exec('sudo -n bash -s', (error, channel) => {
      if (error) return reject(error);
      let output = '';
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-outputTailBytes);
      };
      channel.on('data', keep);
      channel.stderr.on('data', keep);
      channel.on('exit', (code: number | null) => resolve({ node, exitCode: code ?? null, timedOut: false, output }));
      channel.on('close', () =>
        resolve({ node, exitCode: null, timedOut: false, output, error: 'the session closed without an exit code' }),
      );
      channel.end(script.endsWith('\n') ? script : `${script}\n`);
    });
  });
}

/** ssh2 hands the raw host key blob; the expected key is its OpenSSH one-line form. */
function sameHostKey(key: Buffer, expected: string): boolean {
  const blob = expected.trim().split(/\s+/)[1];
  return blob !== undefined && key.toString('base64') === blob;
}
