/**
 * `/ingest` on the hub: the WebSocket probes keep open, and `POST /ingest` (NDJSON, one batch a
 * line) for probes that can only make HTTP calls. Contract: src/protocol/ingest.ts and
 * docs/telemetry.md.
 *
 * Authentication is a gateway token (role `gateway`), never in the URL: the `bearer.<jwt>`
 * subprotocol offered with `pulse.ingest.v1`, or `Authorization: Bearer <jwt>`. As on the POS
 * gateway, a refused socket is accepted and then closed — 4001 for a bad token, 4003 for a viewer
 * token (viewers read, they do not write) — because a 401 reaches a browser as a reasonless 1006.
 * A batch for another gateway id than the token's is refused (`WRONG_GATEWAY`) and the socket
 * closed 4003: that probe is misconfigured, and resending will not help it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CloseCode } from '../../../protocol/close-codes.ts';
import { closeReason, PulseError } from '../../../protocol/errors.ts';
import { ingestLimits, ingestPath, ingestSubprotocol, type IngestAnswer } from '../../../protocol/ingest.ts';
import { bearerPrefix } from '../../../protocol/pos-messages.ts';
import { verifyGatewayToken, verifyViewerToken } from '../../auth/tokens.ts';
import type { Logger } from '../../log/logger.ts';
import { bearerOf } from '../api/viewer-auth.ts';
import { sendError } from '../http/respond.ts';
import type { IngestService } from './ingest-service.ts';

export interface IngestEndpointOptions {
  secret: string;
  service: IngestService;
  logger: Logger;
}

export interface IngestEndpoint {
  /** Takes upgrades for `/ingest` and returns true; false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** `POST /ingest`. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  probes(): number;
  close(): Promise<void>;
}

/** An HTTP body holds several batches; more than this is refused with 413 before it is read whole. */
const maxBodyBytes = 8 * ingestLimits.maxBatchBytes;

type Who = { ok: true; gw: string } | { ok: false; error: PulseError };

function tokenOfUpgrade(req: IncomingMessage): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header === 'string') {
    for (const part of header.split(',')) {
      const p = part.trim();
      if (p.startsWith(bearerPrefix)) return p.slice(bearerPrefix.length) || undefined;
    }
  }
  return bearerOf(req.headers.authorization);
}

function authenticate(secret: string, token: string | undefined): Who {
  const verified = verifyGatewayToken(secret, token);
  if (verified.ok) return { ok: true, gw: verified.claims.sub };
  if (verifyViewerToken(secret, token).ok) return { ok: false, error: new PulseError('FORBIDDEN', 'a viewer token may not write telemetry') };
  return { ok: false, error: new PulseError(verified.reason === 'missing' ? 'TOKEN_MISSING' : verified.reason === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID') };
}

export function createIngestEndpoint(o: IngestEndpointOptions): IngestEndpoint {
  const { service, logger } = o;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    // One batch a frame: a larger frame closes 1009 (TOO_LARGE) before it is buffered whole.
    maxPayload: ingestLimits.maxBatchBytes,
    perMessageDeflate: false,
    clientTracking: false,
    // Never the bearer entry: that would echo the token in a response header (PITFALLS.md).
    handleProtocols: (offered) => (offered.has(ingestSubprotocol) ? ingestSubprotocol : false),
  });

  function serve(ws: WebSocket, gw: string): void {
    sockets.add(ws);
    ws.on('error', (error) => logger.debug({ gw, err: String(error) }, 'ingest: socket error'));
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        service.countRefusal(gw);
        return send(ws, { type: 'error', code: 'NOT_TEXT', message: new PulseError('NOT_TEXT').message });
      }
      const answer = service.accept(gw, data.toString());
      send(ws, answer);
      if (answer.type === 'error' && answer.code === 'WRONG_GATEWAY') {
        logger.warn({ gw }, 'ingest: a probe wrote for another gateway id than its token names; closed 4003');
        ws.close(CloseCode.forbidden, closeReason(new PulseError('WRONG_GATEWAY')));
      }
    });
  }

  function send(ws: WebSocket, answer: IngestAnswer): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(answer));
  }

  return {
    handleUpgrade(req, socket, head) {
      const q = (req.url ?? '').indexOf('?');
      const path = q >= 0 ? (req.url ?? '').slice(0, q) : req.url;
      if (path !== ingestPath) return false;
      const who = authenticate(o.secret, tokenOfUpgrade(req));
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (!who.ok) {
          ws.on('error', () => {});
          logger.info({ code: who.error.code, remote: req.socket.remoteAddress }, 'ingest: refused a probe');
          ws.close(who.error.closeCode, closeReason(who.error));
          return;
        }
        // Listeners in the same tick as the handshake: a batch sent at once is not lost (PITFALLS.md).
        serve(ws, who.gw);
        logger.info({ gw: who.gw }, 'ingest: probe connected');
      });
      return true;
    },

    handleRequest(req, res) {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return sendError(res, new PulseError('BAD_REQUEST', 'POST NDJSON batches here, or open a WebSocket'));
      }
      const who = authenticate(o.secret, bearerOf(req.headers.authorization));
      if (!who.ok) {
        req.resume();
        return sendError(res, who.error);
      }
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBodyBytes) {
        req.resume();
        return sendError(res, new PulseError('TOO_LARGE', `a request holds at most ${maxBodyBytes} bytes`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes && !refused) {
          refused = true;
          sendError(res, new PulseError('TOO_LARGE', `a request holds at most ${maxBodyBytes} bytes`));
          req.resume();
        }
        if (!refused) chunks.push(chunk);
      });
      req.on('end', () => {
        if (refused) return;
        const answers = Buffer.concat(chunks)
          .toString('utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => service.accept(who.gw, line));
        // Every batch busy: 429 tells plain HTTP clients to back off; the lines say the same per batch.
        const allBusy = answers.length > 0 && answers.every((a) => a.type === 'busy');
        const headers: Record<string, string> = { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' };
        if (allBusy) headers['retry-after'] = String(Math.ceil(Math.max(...answers.map((a) => (a.type === 'busy' ? a.retryAfterMs : 0))) / 1000));
        res.writeHead(allBusy ? 429 : 200, headers).end(answers.map((a) => JSON.stringify(a) + '\n').join(''));
      });
    },

    probes: () => sockets.size,

    async close() {
      for (const ws of sockets) ws.close(CloseCode.goingAway, 'Hub shutting down');
      sockets.clear();
    },
  };
}
