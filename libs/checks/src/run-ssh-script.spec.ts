// The SSH check runner against a real SSH server on loopback (ssh2's server, standing in for a tenant node at the
// network edge) that runs each script in a real local bash: exit codes, a script that hangs, a refused key, a host key
// that does not match, and a worker reached through the control plane.
import { spawn } from 'node:child_process';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, utils } from 'ssh2';
import { generateSshKeyPair } from '@kubelabs/domain';
import { runSshScript, type SshAccess } from './run-ssh-script';

const platformKey = generateSshKeyPair('platform');
const otherKey = generateSshKeyPair('other');
const hostKey = generateSshKeyPair('host');
const allowed = utils.parseKey(platformKey.public);

let server: Server;
let port = 0;
const children = new Set<ReturnType<typeof spawn>>();

beforeAll(async () => {
  server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('authentication', (ctx) => {
      if (Array.isArray(allowed) || allowed instanceof Error) return ctx.reject();
      if (
        ctx.method === 'publickey' &&
        ctx.username === 'kubelabs' &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH())
      )
        return ctx.accept();
      ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec();
          // `sudo -n bash -s` on a node; here the same bash without sudo.
          expect(info.command).toBe('sudo -n bash -s');
          const child = spawn('bash', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
          children.add(child);
          channel.pipe(child.stdin);
          child.stdout.pipe(channel, { end: false });
          child.stderr.pipe(channel.stderr, { end: false });
          child.on('exit', (code) => {
            children.delete(child);
            channel.exit(code ?? 255);
            channel.end();
          });
          channel.on('close', () => child.kill('SIGKILL'));
        });
      });
      // The control plane as a jump host: direct-tcpip to the "worker" (this same server).
      client.on('tcpip', (accept, _reject, info) => {
        const channel = accept();
        const socket = tcpConnect(info.destPort === 22 ? port : info.destPort, '127.0.0.1');
        channel.pipe(socket).pipe(channel);
      });
    });
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const access = (): SshAccess => ({
  host: '127.0.0.1',
  port,
  username: 'kubelabs',
  privateKey: platformKey.private,
  hostPublicKey: hostKey.public,
});

describe('runSshScript', () => {
  it('passes the exit code and the output tail of a script run on the control plane', async () => {
    const run = await runSshScript(
      access(),
      { node: 'controlplane', viaControlPlane: false },
      'echo "it is $((6 * 7))"\nexit 3',
      10_000,
    );
    expect(run).toEqual({ node: 'controlplane', exitCode: 3, timedOut: false, output: 'it is 42\n' });
  });

  it('reaches a worker through the control plane', async () => {
    const run = await runSshScript(
      access(),
      { node: 'node01', address: '10.0.0.2', viaControlPlane: true },
      'echo worker >&2; true',
      10_000,
    );
    expect(run).toEqual({ node: 'node01', exitCode: 0, timedOut: false, output: 'worker\n' });
  });

  it('cuts off a script that hangs at its deadline and reports it timed out', async () => {
    const started = Date.now();
    const run = await runSshScript(access(), { node: 'controlplane', viaControlPlane: false }, 'sleep 30', 1_500);
    expect(run).toMatchObject({ node: 'controlplane', exitCode: null, timedOut: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reports a key the node refuses, and a host key that is not the tenant’s, as errors', async () => {
    const refused = await runSshScript(
      { ...access(), privateKey: otherKey.private },
      { node: 'controlplane', viaControlPlane: false },
      'true',
      5_000,
    );
    expect(refused).toMatchObject({ exitCode: null, timedOut: false });
    expect(refused.error).toMatch(/^ssh: All configured authentication methods failed/);
    const spoofed = await runSshScript(
      { ...access(), hostPublicKey: otherKey.public },
      { node: 'controlplane', viaControlPlane: false },
      'true',
      5_000,
    );
    expect(spoofed.error).toMatch(/^ssh: .*(verification|Host denied)/i);
  });

  it('reports a node nobody answers for', async () => {
    const run = await runSshScript(
      { ...access(), port: 1 },
      { node: 'controlplane', viaControlPlane: false },
      'true',
      5_000,
    );
    expect(run.error).toMatch(/^ssh: .*ECONNREFUSED/);
  });
});
