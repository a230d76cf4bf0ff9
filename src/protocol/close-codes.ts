/**
 * WebSocket close codes used between POS terminals and the gateway (and between the hub and
 * dashboards). One table, so that a code means the same thing everywhere it is read.
 */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  /** Never sent on the wire: the peer vanished without a close frame. */
  abnormal: 1006,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
  /** A proxy could not reach (or was refused by) the gateway behind it. */
  badGateway: 1014,
  /** Do not retry with the same token. */
  invalidToken: 4001,
  forbidden: 4003,
  heartbeatTimeout: 4008,
} as const;

export type CloseCodeName = keyof typeof CloseCode;
export type CloseCodeValue = (typeof CloseCode)[CloseCodeName];

/**
 * Why a connection closed, as the figure "errors by type" counts it. Derived from the close code
 * and who closed it; see `causeOfClose`.
 */
export const closeCauses = [
  'client_close',
  'server_close',
  'going_away',
  'auth_failed',
  'forbidden',
  'rate_limited',
  'too_large',
  'invalid_message',
  'heartbeat_timeout',
  'abnormal_close',
  'server_error',
  'try_again_later',
  /**
   * Never observed: the connection was open when Pulse itself was killed (kill -9, a crash), and
   * the restarted hub closes it at the run's last sign of life so timelines do not run open → open.
   */
  'hub_killed',
  /**
   * Never observed: the connection's gateway fell silent past the hub's gateway timeout (kill -9,
   * a crash, a partition), and the hub closes it at the gateway's last frame (1006) so the store,
   * timelines and replay do not keep it open forever. Not the terminal's error.
   */
  'gateway_lost',
  /**
   * Never observed: the gateway said goodbye (a clean stop, docs/telemetry.md) while the hub still
   * held the connection open — its close was never reported — so the hub closes it (1001) at the
   * goodbye. Not the terminal's error.
   */
  'gateway_stopped',
  /**
   * Never observed: the gateway came back under a new run (a restarted process) while the hub held
   * connections of the old run open, and the hub closes them (1006) at the new run's start. Not the
   * terminal's error.
   */
  'gateway_restarted',
] as const;
export type CloseCause = (typeof closeCauses)[number];

/** The cause a close code stands for. `byServer` tells a server's own 1000 from a terminal's. */
export function causeOfClose(code: number, byServer: boolean): CloseCause {
  switch (code) {
    case CloseCode.normal:
      return byServer ? 'server_close' : 'client_close';
    case CloseCode.goingAway:
      return 'going_away';
    case CloseCode.policyViolation:
      // 1008 is used for both rate limits and invalid messages; callers that know which pass it.
      return 'invalid_message';
    case CloseCode.messageTooBig:
      return 'too_large';
    case CloseCode.internalError:
      return 'server_error';
    case CloseCode.tryAgainLater:
      return 'try_again_later';
    case CloseCode.badGateway:
      return 'server_error';
    case CloseCode.invalidToken:
      return 'auth_failed';
    case CloseCode.forbidden:
      return 'forbidden';
    case CloseCode.heartbeatTimeout:
      return 'heartbeat_timeout';
    default:
      return 'abnormal_close';
  }
}

/** Close codes after which retrying with the same credentials is pointless. */
export function isTerminalCloseCode(code: number): boolean {
  return code === CloseCode.invalidToken || code === CloseCode.forbidden;
}
