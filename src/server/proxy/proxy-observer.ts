/**
 * What the proxy tells an observer about each connection it carries (the telemetry side lives in
 * src/server/probe/proxy-telemetry.ts). Calls are made on the proxy's hot path and guarded: an
 * observer that throws is counted and logged, never allowed to hurt the connection.
 */
export type TokenVia = 'subprotocol' | 'query' | 'none';

export interface ProxiedUpgrade {
  /** Unique per connection on this proxy. */
  conn: string;
  /** ms since epoch, when the upgrade arrived. */
  t: number;
  /** Request path without query. */
  path: string;
  /** The bearer token if the terminal sent one (`Sec-WebSocket-Protocol: bearer.<jwt>` wins over `?token=`); never log it. */
  token: string | undefined;
  via: TokenVia;
  remoteAddress: string;
}

export interface ConnectionObserver {
  /** Both sides open; `protocol` = what the upstream selected ('' for none). */
  opened(t: number, protocol: string): void;
  /** Terminal → upstream ('in') or upstream → terminal ('out'); called for every data message forwarded. */
  message(t: number, dir: 'in' | 'out', data: Buffer, isBinary: boolean): void;
  /** The pair is over; `by`: who closed first. 1006 when a side vanished without a close frame. */
  closed(t: number, code: number, reason: string, by: 'terminal' | 'upstream' | 'proxy'): void;
}

export interface ProxyObserver {
  upgrade(u: ProxiedUpgrade): ConnectionObserver;
}
