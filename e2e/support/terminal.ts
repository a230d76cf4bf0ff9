/**
 * A POS terminal driven by hand from a spec, over a real socket and the real protocol (token as
 * the `bearer.<jwt>` subprotocol beside `pulse.v1`): for what the simulator does not script — a
 * close reason of our choosing, a connection opened or closed at an exact moment. It keeps the
 * heartbeat the gateway's welcome asks for, as a real terminal does (else the gateway would drop
 * it with 4008 and a restarted hub would rightly not count it).
 */
import WebSocket from 'ws';

export interface HandTerminal {
  /** The gateway's first message (`welcome`), or null when it closed first (a refused token). */
  readonly first: { type?: string; heartbeatIntervalMs?: number } | null;
  /** The close code, once closed (by either side). */
  readonly closed: Promise<number>;
  close(code: number, reason: string): Promise<number>;
  /** Drops the TCP connection without a close frame: the gateway sees an abnormal close (1006). */
  drop(): Promise<number>;
}

export interface TerminalOptions {
  timeoutMs?: number;
  /** False: never ping, so the gateway buries the connection as half-open (4008). Default true. */
  heartbeat?: boolean;
}

export function connectTerminal(gatewayUrl: string, token: string, options: number | TerminalOptions = {}): Promise<HandTerminal> {
  const { timeoutMs = 5_000, heartbeat = true } = typeof options === 'number' ? { timeoutMs: options } : options;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(gatewayUrl, ['pulse.v1', `bearer.${token}`]);
    let beat: ReturnType<typeof setInterval> | undefined;
    const closed = new Promise<number>((r) =>
      ws.once('close', (code) => {
        clearInterval(beat);
        r(code);
      }),
    );
    const terminal = (first: HandTerminal['first']): HandTerminal => ({
      first,
      closed,
      close(code, reason) {
        clearInterval(beat);
        ws.close(code, reason);
        return closed;
      },
      drop() {
        clearInterval(beat);
        ws.terminate();
        return closed;
      },
    });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`the gateway did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.once('message', (data) => {
      clearTimeout(timer);
      const first = JSON.parse(String(data)) as NonNullable<HandTerminal['first']>;
      let seq = 0;
      if (heartbeat && first.type === 'welcome' && first.heartbeatIntervalMs) {
        beat = setInterval(() => ws.send(JSON.stringify({ type: 'ping', seq: ++seq, timestamp: Date.now() })), first.heartbeatIntervalMs);
      }
      resolve(terminal(first));
    });
    ws.once('close', () => {
      clearTimeout(timer);
      resolve(terminal(null));
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
