/**
 * The one place server logs are configured. Every command builds its logger here so that token
 * redaction cannot be forgotten: a terminal's `?token=` query or `bearer.<jwt>` subprotocol lands in
 * access logs otherwise (OWASP; PITFALLS.md "Token in the query string lands in access logs").
 *
 * Redaction happens twice on purpose: known fields by path (cheap, exact), and a scrub of every
 * string that reaches the log (message and first-level fields), because a token can hide in a
 * field nobody thought of — a URL, a header dump, an error message quoting its input.
 */
import pino from 'pino';
import type { DestinationStream, Logger, LevelWithSilent } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = LevelWithSilent;
export const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  level?: LogLevel;
  name?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read what was written. */
  destination?: DestinationStream;
  /** Write to stderr instead of stdout (synchronously, so nothing is lost at exit): for commands
   *  whose stdout is for people or pipes. Ignored when `destination` is given. */
  stderr?: boolean;
}

const censor = '[REDACTED]';

/** Field paths that hold credentials wherever they appear (pino's fast-redact syntax). */
const redactPaths = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["sec-websocket-protocol"]',
  '*.headers["sec-websocket-protocol"]',
  'headers.cookie',
  '*.headers.cookie',
];

// A query parameter named like a credential, a bearer subprotocol, or anything shaped like a JWT.
const queryTokenPattern = /([?&](?:token|access_token|jwt)=)[^&#\s"']*/gi;
const bearerPattern = /(bearer[. ])[A-Za-z0-9._~+/=-]+/gi;
const jwtPattern = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** Remove anything that looks like a credential from free text. */
export function scrubSecrets(text: string): string {
  if (!/token|jwt|bearer|eyJ/i.test(text)) return text;
  return text.replace(queryTokenPattern, `$1${censor}`).replace(bearerPattern, `$1${censor}`).replace(jwtPattern, censor);
}

/**
 * A request URL fit for a log line: credential-bearing query parameters keep their name (so a
 * reader knows the legacy query path was used) but lose their value.
 */
export function redactUrl(url: string | undefined): string {
  if (url === undefined) return '';
  return scrubSecrets(url);
}

function scrubFields(object: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (typeof value !== 'string') continue;
    const clean = scrubSecrets(value);
    if (clean !== value) (out ??= { ...object })[key] = clean;
  }
  return out ?? object;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: redactPaths, censor },
    formatters: { log: scrubFields },
    hooks: {
      logMethod(args, method) {
        // Strings passed as the message (or format arguments) are scrubbed before formatting.
        const clean = args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as typeof args;
        method.apply(this, clean);
      },
    },
    serializers: {
      err: (error: unknown) => {
        const s = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
        return scrubFields(s);
      },
    },
  };
  if (options.name !== undefined) config.name = options.name;
  if (options.destination) return pino(config, options.destination);
  if (options.stderr) return pino(config, pino.destination({ fd: 2, sync: true }));
  return pino(config);
}

/** A logger that writes nothing: the default of library code (gateway, hub) when none is given. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
