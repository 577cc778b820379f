// [simulator] One loopback port in front of every real tenant API server, routing each TLS connection by the name the
// client asks for (SNI) without terminating it: the platform dials one address with `tls-server-name:
// kube-api.<namespace>.svc`, as it would dial that name inside the host cluster. Unknown names are refused.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { readServerName } from './read-server-name';

export interface TenantApiRouter {
  port: number;
  close(): Promise<void>;
}

/** The most a ClientHello may take before the router gives up on a connection. */
const maxHelloBytes = 16 * 1024;
const helloTimeoutMs = 5_000;

export async function startTenantApiRouter(
  portFor: (serverName: string) => number | undefined,
): Promise<TenantApiRouter> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(helloTimeoutMs, () => socket.destroy());
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const name = readServerName(buffered);
      if (name === undefined && buffered.length < maxHelloBytes) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      const port = name ? portFor(name) : undefined;
      if (!port) return void socket.destroy();
      socket.pause();
      const upstream = connect(port, '127.0.0.1', () => {
        upstream.write(buffered);
        socket.pipe(upstream).pipe(socket);
        socket.resume();
      });
      sockets.add(upstream);
      upstream.on('close', () => (sockets.delete(upstream), socket.destroy()));
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
