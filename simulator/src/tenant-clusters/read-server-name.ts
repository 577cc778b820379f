// [simulator] The server name (SNI) a TLS client asks for, read from the first bytes of its ClientHello without
// terminating TLS: the tenant API router forwards the untouched stream, so client certificates still reach the
// real kube-apiserver. Pure. Written here rather than taken from a package: 40 lines over RFC 8446 §4.1.2 and
// RFC 6066 §3, used only by the simulator, and it must return "need more bytes" rather than read a socket itself.

/** The host name, `null` when the ClientHello names none or is not one, `undefined` when more bytes are needed. */
export function readServerName(data: Buffer): string | null | undefined {
  if (data.length < 5) return undefined;
  if (data[0] !== 0x16) return null; // not a TLS handshake record
  const recordLength = data.readUInt16BE(3);
  if (data.length < 5 + recordLength) return undefined;
  const hello = data.subarray(5, 5 + recordLength);
  if (hello[0] !== 0x01) return null; // not a ClientHello
  let at = 4 + 2 + 32; // handshake header, legacy_version, random
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (at + lengthBytes > hello.length) return false;
    const length = lengthBytes === 1 ? hello[at]! : hello.readUInt16BE(at);
    at += lengthBytes + length;
    return at <= hello.length;
  };
  if (!skip(1) || !skip(2) || !skip(1)) return null; // session id, cipher suites, compression methods
  if (at + 2 > hello.length) return null;
  const end = Math.min(hello.length, at + 2 + hello.readUInt16BE(at));
  at += 2;
  while (at + 4 <= end) {
    const type = hello.readUInt16BE(at);
    const length = hello.readUInt16BE(at + 2);
    const body = hello.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    if (type !== 0x0000) continue; // server_name
    // server_name_list: u16 length, then entries of name_type (0 = host_name), u16 length, name.
    if (body.length < 5 || body[2] !== 0x00) return null;
    const nameLength = body.readUInt16BE(3);
    return body
      .subarray(5, 5 + nameLength)
      .toString('ascii')
      .toLowerCase();
  }
  return null;
}
