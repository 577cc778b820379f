import { connect } from 'node:tls';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { readServerName } from './read-server-name';

/** The first bytes a real TLS client (Node's) sends for `servername`. */
async function clientHello(servername: string | undefined): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const received = new Promise<Buffer>((resolve) =>
    server.once('connection', (socket) => socket.once('data', (chunk: Buffer) => (resolve(chunk), socket.destroy()))),
  );
  const client = connect({ host: '127.0.0.1', port, ...(servername ? { servername } : {}) });
  client.on('error', () => undefined);
  const data = await received;
  client.destroy();
  server.close();
  return data;
}

describe('readServerName', () => {
  it('reads the name a real TLS client asks for', async () => {
    expect(readServerName(await clientHello('kube-api.kubelabs-t-a.svc'))).toBe('kube-api.kubelabs-t-a.svc');
  });

  it('answers null when the client names no server', async () => {
    expect(readServerName(await clientHello(undefined))).toBeNull();
  });

  it('asks for more bytes while the record is incomplete', async () => {
    const hello = await clientHello('a.example');
    expect(readServerName(hello.subarray(0, 3))).toBeUndefined();
    expect(readServerName(hello.subarray(0, hello.length - 1))).toBeUndefined();
  });

  it('answers null for something that is not TLS', () => {
    expect(readServerName(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBeNull();
  });
});
