/**
 * Every refusal Pulse makes has a stable code. Codecs, the gateway, the hub and the API all speak
 * these; one table maps each to the close code a socket gets and the HTTP status an API call gets.
 */
import { CloseCode } from './close-codes.ts';

export const errorCodes = {
  // decoding
  NOT_TEXT: { close: CloseCode.policyViolation, http: 400, message: 'Binary frames are not accepted' },
  NOT_JSON: { close: CloseCode.policyViolation, http: 400, message: 'Frame is not valid JSON' },
  INVALID_MESSAGE: { close: CloseCode.policyViolation, http: 400, message: 'Message does not match the protocol' },
  UNKNOWN_TYPE: { close: CloseCode.policyViolation, http: 400, message: 'Unknown message type' },
  TOO_LARGE: { close: CloseCode.messageTooBig, http: 413, message: 'Frame exceeds the size limit' },
  // limits
  RATE_LIMITED: { close: CloseCode.policyViolation, http: 429, message: 'Rate limit exceeded' },
  // auth
  TOKEN_MISSING: { close: CloseCode.invalidToken, http: 401, message: 'Invalid token' },
  TOKEN_INVALID: { close: CloseCode.invalidToken, http: 401, message: 'Invalid token' },
  TOKEN_EXPIRED: { close: CloseCode.invalidToken, http: 401, message: 'Invalid token' },
  FORBIDDEN: { close: CloseCode.forbidden, http: 403, message: 'Forbidden' },
  NOT_IN_SCOPE: { close: CloseCode.forbidden, http: 403, message: 'Not in your scope' },
  ORIGIN_REFUSED: { close: CloseCode.forbidden, http: 403, message: 'Origin not allowed' },
  /** A gateway token writing telemetry for another gateway id. */
  WRONG_GATEWAY: { close: CloseCode.forbidden, http: 403, message: 'This token may write only for its own gateway id' },
  // ingest
  /** An event for a connection the hub never saw open (and no `resumed` open re-announced it). */
  UNKNOWN_CONNECTION: { close: CloseCode.policyViolation, http: 422, message: 'Unknown connection' },
  /** The hub cannot take more now; the batch was not taken: resend it later, slower. */
  INGEST_BUSY: { close: CloseCode.tryAgainLater, http: 429, message: 'Hub busy; resend the batch later' },
  /** Too many long series queries at once (src/server/hub/api/series-limit.ts); the answer carries Retry-After. */
  QUERY_BUSY: { close: CloseCode.tryAgainLater, http: 503, message: 'Too many long queries at once; retry later' },
  /** A replay instant outside the stored window (the lifecycle events' retention, src/server/replay/). */
  REPLAY_OUT_OF_WINDOW: { close: CloseCode.policyViolation, http: 422, message: 'That instant is outside the stored window' },
  /** More stored events lead up to the instant than one replay answer may read (src/server/replay/). */
  REPLAY_TOO_LARGE: { close: CloseCode.policyViolation, http: 413, message: 'Too many stored events to rebuild that instant' },
  /** A directory edit (PUT /api/directory/:rid) with fields that are wrong: `problems` lists each with its own code. */
  DIRECTORY_INVALID: { close: CloseCode.policyViolation, http: 400, message: 'Not a valid directory entry' },
  /** A directory edit on a hub started without --restaurants-file: there is no file to write it to. */
  DIRECTORY_READ_ONLY: { close: CloseCode.policyViolation, http: 409, message: 'The hub has no restaurants file to edit; start it with --restaurants-file' },
  /** The restaurants file is not valid on disk (a hand edit in progress): a dashboard edit does not overwrite it. */
  DIRECTORY_FILE_INVALID: { close: CloseCode.policyViolation, http: 409, message: 'The restaurants file is not valid on disk; fix it first' },
  /**
   * A bare terminal id that more than one restaurant the viewer may see has a terminal of: a
   * terminal is (rid, tid), tills are named per restaurant (issue 18, item 3). The refusal lists
   * those restaurants (`TerminalAmbiguousError`); ask again by restaurant.
   */
  /** A silence body that is not one (POST /api/silences): the message names the field and why. */
  SILENCE_INVALID: { close: CloseCode.policyViolation, http: 400, message: 'Not a valid silence' },
  TERMINAL_AMBIGUOUS: { close: CloseCode.policyViolation, http: 409, message: 'More than one restaurant has a terminal of this id; name the restaurant' },
  // liveness and lifecycle
  HEARTBEAT_TIMEOUT: { close: CloseCode.heartbeatTimeout, http: 504, message: 'Heartbeat timeout' },
  STARTING: { close: CloseCode.tryAgainLater, http: 503, message: 'Hub starting; try again shortly' },
  SHUTTING_DOWN: { close: CloseCode.goingAway, http: 503, message: 'Server shutting down' },
  SLOW_CONSUMER: { close: CloseCode.tryAgainLater, http: 503, message: 'Consumer too slow' },
  INTERNAL: { close: CloseCode.internalError, http: 500, message: 'Internal error' },
  NOT_FOUND: { close: CloseCode.policyViolation, http: 404, message: 'Not found' },
  BAD_REQUEST: { close: CloseCode.policyViolation, http: 400, message: 'Bad request' },
  /** A plain HTTP request to a WebSocket path (`/ws`, `/live`). */
  UPGRADE_REQUIRED: { close: CloseCode.policyViolation, http: 426, message: 'WebSocket upgrade required' },
  /** A method other than GET or HEAD where only reads are served. */
  METHOD_NOT_ALLOWED: { close: CloseCode.policyViolation, http: 405, message: 'Only GET is served here' },
  /** The proxy could not reach the gateway behind it, or the gateway refused the upgrade. */
  BAD_GATEWAY: { close: CloseCode.badGateway, http: 502, message: 'Bad gateway' },
} as const satisfies Record<string, { close: number; http: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** A refusal with a stable code; `detail` says what exactly was wrong (never a secret). */
export class PulseError extends Error {
  readonly code: ErrorCode;
  readonly closeCode: number;
  readonly httpStatus: number;
  constructor(code: ErrorCode, detail?: string) {
    super(detail ? `${errorCodes[code].message}: ${detail}` : errorCodes[code].message);
    this.name = 'PulseError';
    this.code = code;
    this.closeCode = errorCodes[code].close;
    this.httpStatus = errorCodes[code].http;
  }
}

/** The close reason for a refusal; WebSocket close reasons must fit in 123 bytes of UTF-8. */
export function closeReason(error: PulseError): string {
  const text = error.message;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= 123) return text;
  return new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD$/, '') + '…';
}

/**
 * TERMINAL_AMBIGUOUS with the candidates: the restaurants, in the viewer's scope only, that have a
 * terminal of the id asked for (a manager never learns of another restaurant's terminals).
 */
export class TerminalAmbiguousError extends PulseError {
  readonly restaurants: readonly string[];
  constructor(tid: string, restaurants: readonly string[]) {
    super('TERMINAL_AMBIGUOUS', `${tid} is in ${restaurants.join(', ')}`);
    this.restaurants = restaurants;
  }
}
