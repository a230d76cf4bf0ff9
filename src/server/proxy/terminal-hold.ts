/**
 * A terminal's socket between its upgrade request and the proxy's answer, while the upstream is
 * dialled (up to upstreamTimeoutMs). Node hands an upgraded socket over paused and half-open: a
 * terminal that gives up meanwhile sends a FIN nobody reads, so without reading the proxy would
 * only notice when it answers — after making the upstream accept a connection for nobody.
 *
 * So the socket is read while held: EOF or close means the terminal left (the dial is dropped);
 * bytes it sent early (a client should not, but may) are kept and relayed after the head.
 */
import type { Duplex } from 'node:stream';

/** A terminal has no reason to send anything before the 101; more than this is not a terminal. */
const maxEarlyBytes = 64 * 1024;

export interface TerminalHold {
  /** Stop holding: the request's head plus early bytes (for the pair, or ws's `handleUpgrade`), or null if the terminal left. */
  release(): Buffer | null;
}

export function holdTerminal(socket: Duplex, head: Buffer, onGone: () => void): TerminalHold {
  const early: Buffer[] = [];
  let earlyBytes = 0;
  let gone = false;
  const leave = (): void => {
    if (gone) return;
    gone = true;
    detach();
    socket.destroy();
    onGone();
  };
  const onData = (chunk: Buffer): void => {
    early.push(chunk);
    earlyBytes += chunk.length;
    if (earlyBytes > maxEarlyBytes) leave();
  };
  const detach = (): void => {
    socket.off('data', onData);
    socket.off('end', leave);
    socket.off('close', leave);
  };
  socket.on('data', onData);
  socket.once('end', leave);
  socket.once('close', leave);

  return {
    release() {
      if (gone) return null;
      detach();
      // Back to the state Node hands it over in; the pair's (or ws's) 'data' listener starts the flow again,
      // and within this tick, so no chunk can be emitted to nobody in between.
      socket.pause();
      (socket as Duplex & { readableFlowing: boolean | null }).readableFlowing = null;
      return early.length === 0 ? head : Buffer.concat([head, ...early]);
    },
  };
}
