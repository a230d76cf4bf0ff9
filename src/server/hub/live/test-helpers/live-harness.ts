/**
 * A live server on a real http server on 127.0.0.1, port 0, and viewers that are real `ws`
 * clients keeping every raw frame, so tests can check bytes (tenancy) as well as decoded frames.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { decodeLiveFrame, liveSubprotocol, type LiveFrame, type ViewerMessage } from '../../../../protocol/live.ts';
import { signViewerToken, type ViewerRole } from '../../../auth/tokens.ts';
import { createLiveServer, type LiveServer, type LiveServerOptions } from '../live-server.ts';

export const testSecret = 'live-test-secret-0123456789';
export const testOrigin = 'http://127.0.0.1:7400';

export interface LiveHarness {
  live: LiveServer;
  server: Server;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startLive(options: Partial<LiveServerOptions> & Pick<LiveServerOptions, 'source'>): Promise<LiveHarness> {
  const live = createLiveServer({ secret: testSecret, allowedOrigins: [testOrigin], tickMs: 50, ...options });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!live.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    live,
    server,
    baseUrl: `ws://127.0.0.1:${port}`,
    async close() {
      await live.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function viewerToken(role: ViewerRole, restaurants?: string[], ttlSeconds = 600): string {
  return signViewerToken(testSecret, { sub: `viewer-${role}`, role, ...(restaurants ? { restaurants } : {}) }, ttlSeconds);
}

export interface ViewerOptions {
  token?: string;
  origin?: string;
  since?: string;
  path?: string;
  autoPong?: boolean;
  /** Validate every frame against the contract (default). Off for bulk tests where the test
   *  process's own zod work would make the viewer, not the hub, the slow one. */
  validate?: boolean;
}

/** A recorded viewer. Every frame must decode against the contract, or `problems` says why. */
export class TestViewer {
  readonly ws: WebSocket;
  readonly raw: string[] = [];
  readonly frames: LiveFrame[] = [];
  readonly arrivedAt: number[] = [];
  readonly problems: string[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The protocol header of the handshake response, to prove the token is not echoed. */
  responseProtocol: string | undefined;
  private waiters = new Set<() => void>();

  constructor(baseUrl: string, options: ViewerOptions = {}) {
    const protocols = [liveSubprotocol, ...(options.token !== undefined ? [`bearer.${options.token}`] : [])];
    const query = options.since !== undefined ? `?since=${encodeURIComponent(options.since)}` : '';
    this.ws = new WebSocket(`${baseUrl}${options.path ?? '/live'}${query}`, protocols, {
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
      autoPong: options.autoPong ?? true,
    });
    this.ws.on('upgrade', (res: IncomingMessage) => {
      const header = res.headers['sec-websocket-protocol'];
      this.responseProtocol = Array.isArray(header) ? header.join(',') : header;
    });
    this.ws.on('message', (data) => {
      const text = String(data);
      this.raw.push(text);
      this.arrivedAt.push(Date.now());
      if (options.validate === false) {
        this.frames.push(JSON.parse(text) as LiveFrame);
      } else {
        const decoded = decodeLiveFrame(text);
        if (decoded.ok) this.frames.push(decoded.value);
        else this.problems.push(`${decoded.error.message} in ${text.slice(0, 200)}`);
      }
      for (const w of [...this.waiters]) w();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    this.ws.on('error', () => {});
    this.closed.then(() => [...this.waiters].forEach((w) => w()));
  }

  send(message: ViewerMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Resolves with the first frame (from index `from`) matching `pick`; rejects after `timeoutMs`. */
  waitFor<F extends LiveFrame>(pick: (f: LiveFrame) => f is F, timeoutMs?: number, from?: number): Promise<F>;
  waitFor(pick: (f: LiveFrame) => boolean, timeoutMs?: number, from?: number): Promise<LiveFrame>;
  waitFor(pick: (f: LiveFrame) => boolean, timeoutMs = 3_000, from = 0): Promise<LiveFrame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.frames.slice(from).find(pick);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching frame within ${timeoutMs} ms (got ${this.frames.length} frames)`));
      }, timeoutMs);
      const waiter = (): void => void check();
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      check();
    });
  }

  /** Waits until `n` frames of `type` arrived after index `from`. */
  async waitForCount(type: LiveFrame['type'], n: number, timeoutMs = 3_000, from = 0): Promise<LiveFrame[]> {
    await this.waitFor(() => this.frames.slice(from).filter((f) => f.type === type).length >= n, timeoutMs, from);
    return this.frames.slice(from).filter((f) => f.type === type);
  }

  /** Snapshot and delta frames only: the ones that move a viewer's position. */
  stream(): Extract<LiveFrame, { type: 'snapshot' | 'delta' }>[] {
    return this.frames.filter((f): f is Extract<LiveFrame, { type: 'snapshot' | 'delta' }> => f.type === 'snapshot' || f.type === 'delta');
  }

  /** Closes cleanly, or terminates after 1 s (a paused reader cannot complete the handshake). */
  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), 1_000);
    return this.closed.finally(() => clearTimeout(timer));
  }
}

export function connectViewer(baseUrl: string, options: ViewerOptions = {}): TestViewer {
  return new TestViewer(baseUrl, options);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms; throws after `timeoutMs` so no test waits unbounded. */
export async function until(condition: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
