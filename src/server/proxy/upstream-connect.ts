/**
 * The second leg: a `ws` client to the upstream, dialled before the terminal's handshake is
 * answered, so the terminal can be told what the upstream selected — or, when the upstream is
 * down, refuses or stalls, be accepted and closed with 1014 and a reason.
 *
 * ws makes the handshake (and checks the answer: Sec-WebSocket-Accept, the protocol); once it is
 * open, the proxy takes the TCP socket back from it and relays raw frames itself (proxy-pair.ts),
 * so ws's parser and sender never run on a frame. That happens inside ws's `open` event, before ws
 * has read a byte past the 101: a gateway that greets at once (the reference gateway's welcome) has
 * its first frame in the same TCP read as the 101, which ws put back into the socket, so it is the
 * socket's first 'data' for the pair.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import { passedOnResponseHeaders } from './upstream-request.ts';

export type UpstreamFailureKind = 'unreachable' | 'refused' | 'timeout' | 'handshake';
export const upstreamFailureKinds: readonly UpstreamFailureKind[] = ['unreachable', 'refused', 'timeout', 'handshake'];

export type UpstreamResult =
  /** `socket`: paused, no listeners but a no-op 'error' one; `headers`: the 101's end-to-end headers, as raw name/value pairs. */
  | { ok: true; socket: Socket; protocol: string; headers: string[] }
  | { ok: false; kind: UpstreamFailureKind; status?: number; reason: string; detail: string };

export interface UpstreamRequest {
  url: string;
  protocols: string[];
  headers: Record<string, string>;
}

export interface UpstreamLimits {
  timeoutMs: number;
  maxPayload: number;
  closeTimeoutMs: number;
}

/**
 * A system error (ECONNREFUSED, ENOTFOUND, ECONNRESET, EMFILE, …) means no answer was had at all;
 * ws's own handshake errors ('Invalid Sec-WebSocket-Accept header', …) carry no code: an answer it
 * did not accept.
 */
const systemErrorCode = /^E[A-Z0-9_]+$/;

const reasons: Record<UpstreamFailureKind, (status?: number) => string> = {
  unreachable: () => 'upstream unreachable',
  refused: (status) => `upstream refused the upgrade (${status})`,
  timeout: () => 'upstream timed out',
  handshake: () => 'upstream handshake failed',
};

const failure = (kind: UpstreamFailureKind, detail: string, status?: number): UpstreamResult => ({ ok: false, kind, reason: reasons[kind](status), detail, ...(status === undefined ? {} : { status }) });

const ignore = (): void => {};

/**
 * The open ws client's TCP socket, taken back from it: ws's four listeners off (the http client's
 * went at the upgrade), paused before its first read, and ws's back-reference dropped, so the
 * WebSocket, its Receiver and Sender are garbage rather than ~2 KB per pair for nothing.
 */
function takeSocket(ws: WebSocket): Socket {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  for (const event of ['data', 'end', 'close', 'error'] as const) socket.removeAllListeners(event);
  socket.on('error', ignore);
  socket.pause();
  for (const key of Object.getOwnPropertySymbols(socket)) {
    if (key.description === 'websocket') delete (socket as unknown as Record<symbol, unknown>)[key];
  }
  return socket;
}

/** Dials the upstream; `done` is called exactly once, unless the returned abort is called first. */
export function connectUpstream(request: UpstreamRequest, limits: UpstreamLimits, done: (result: UpstreamResult) => void): () => void {
  // `closeTimeout` and `autoPong` exist in the ws we pin (8.23); closeTimeout is missing from @types/ws.
  const options: ClientOptions & { closeTimeout: number } = {
    headers: request.headers,
    perMessageDeflate: false,
    // Pings and pongs travel end to end: the upstream's liveness check must see the terminal's answer.
    autoPong: false,
    maxPayload: limits.maxPayload,
    // Text is passed through, not judged: the receiving end validates UTF-8 (and closes 1007) itself.
    skipUTF8Validation: true,
    followRedirects: false,
    closeTimeout: limits.closeTimeoutMs,
  };
  let ws: WebSocket;
  try {
    ws = new WebSocket(request.url, request.protocols, options);
  } catch (error) {
    // A request ws will not even send (a header value Node refuses): the upstream never saw it.
    const result = failure('handshake', (error as Error).message);
    let aborted = false;
    process.nextTick(() => {
      if (!aborted) done(result);
    });
    return () => {
      aborted = true;
    };
  }

  let settled = false;
  let selected = '';
  let headers: string[] = [];
  const onUpgrade = (res: IncomingMessage): void => {
    headers = passedOnResponseHeaders(res.rawHeaders);
    const answer = res.headers['sec-websocket-protocol'];
    selected = typeof answer === 'string' ? answer : '';
    // ws rejects a 101 without a protocol when the client offered some ('Server sent no
    // subprotocol'); a browser accepts it and so must we, to stay transparent. ws emits 'upgrade'
    // before that check, so the real answer is noted here and the header patched to pass it.
    if (answer === undefined && request.protocols.length > 0) res.headers['sec-websocket-protocol'] = request.protocols[0];
  };
  const onUnexpected = (_req: ClientRequest, res: IncomingMessage): void => {
    res.resume();
    settle(failure('refused', `HTTP ${res.statusCode}`, res.statusCode));
    ws.terminate();
  };
  const onOpen = (): void => settle({ ok: true, socket: takeSocket(ws), protocol: selected, headers });
  const onError = (error: NodeJS.ErrnoException): void => {
    settle(failure(error.code !== undefined && systemErrorCode.test(error.code) ? 'unreachable' : 'handshake', error.message));
  };
  const onClose = (): void => settle(failure('unreachable', 'closed before the handshake completed'));
  // ws's handshakeTimeout is an idle timeout of the request; this is a deadline for connect + handshake.
  const timer = setTimeout(() => {
    settle(failure('timeout', `no handshake within ${limits.timeoutMs} ms`));
    ws.terminate();
  }, limits.timeoutMs);

  /**
   * Our listeners go once settled: they hold the request (its headers, the offered token) and,
   * through `done`, the terminal's upgrade, which would otherwise live as long as the pair. The pair
   * attaches its own 'error' listener inside `done`; a failed dial keeps a no-op one while ws ends it.
   */
  const detach = (): void => {
    ws.off('upgrade', onUpgrade);
    ws.off('unexpected-response', onUnexpected);
    ws.off('open', onOpen);
    ws.off('error', onError);
    ws.off('close', onClose);
  };
  function settle(result: UpstreamResult): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    detach();
    if (!result.ok) ws.on('error', ignore);
    done(result);
  }
  ws.on('upgrade', onUpgrade);
  ws.on('unexpected-response', onUnexpected);
  ws.on('open', onOpen);
  ws.on('error', onError);
  ws.on('close', onClose);

  return () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    detach();
    ws.on('error', ignore);
    ws.terminate();
  };
}
