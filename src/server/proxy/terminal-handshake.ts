/**
 * The terminal's 101, written by the proxy itself rather than by ws's handleUpgrade: the terminal's
 * socket then carries raw frames relayed by proxy-pair.ts, with no ws WebSocket, Receiver or Sender
 * behind it (they cost CPU per frame and ~2 KB per pair). The request was checked by
 * `upgradeProblem` before the upstream was dialled, as ws would have checked it.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';

/** RFC 6455 §1.3. */
const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptFor(key: string): string {
  return createHash('sha1').update(key + acceptGuid).digest('base64');
}

/**
 * Writes the 101 answering `key`, with `protocol` ('' for none) and the upstream's passed-on
 * headers (raw name/value pairs). False when the terminal's socket is no longer writable (it left
 * while the upstream was dialled): nothing was written.
 */
export function writeSwitchingProtocols(socket: Duplex, key: string, protocol: string, headers: readonly string[]): boolean {
  if (!socket.writable || socket.destroyed) return false;
  let head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n`;
  if (protocol) head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    // Node's parser already refuses CR/LF in a header; a response splitter must never pass anyway.
    if (/[\r\n]/.test(headers[i]!) || /[\r\n]/.test(headers[i + 1]!)) continue;
    head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  }
  socket.write(head + '\r\n');
  return true;
}
