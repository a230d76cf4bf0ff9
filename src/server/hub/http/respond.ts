/**
 * How the hub answers over HTTP. Every refusal is `{ error: { code, message } }` with the stable
 * code and HTTP status of src/protocol/errors.ts, so the SPA can switch on `code` and never on text.
 */
import type { ServerResponse } from 'node:http';
import { PulseError, TerminalAmbiguousError } from '../../../protocol/errors.ts';

/** Headers every hub answer carries: nothing is cached by accident, nothing is sniffed or framed. */
export const baseHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...baseHeaders,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // API answers are per viewer (scope) and per moment (live figures): never from a cache.
    'cache-control': 'no-store',
  });
  res.end(text);
}

export type ErrorBody = { error: { code: string; message: string; restaurants?: readonly string[]; problems?: readonly unknown[] } };

export function errorBody(error: PulseError): ErrorBody {
  // An ambiguous terminal id names its candidates (already cut to the viewer's scope).
  if (error instanceof TerminalAmbiguousError) return { error: { code: error.code, message: error.message, restaurants: error.restaurants } };
  // A refused directory edit lists each field with its own code (src/server/directory/directory-edit.ts).
  const problems = (error as { problems?: unknown }).problems;
  if (Array.isArray(problems)) return { error: { code: error.code, message: error.message, problems } };
  return { error: { code: error.code, message: error.message } };
}

export function sendError(res: ServerResponse, error: PulseError): void {
  const headers: Record<string, string> = {};
  // RFC 6750: a 401 names the scheme, so generic clients know a bearer token is what is missing.
  if (error.httpStatus === 401) headers['www-authenticate'] = 'Bearer realm="pulse"';
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendJson(res, error.httpStatus, errorBody(error));
}

/** Anything thrown that is not a PulseError is a bug: the caller sees INTERNAL, the log sees why. */
export function asPulseError(error: unknown): PulseError {
  return error instanceof PulseError ? error : new PulseError('INTERNAL');
}
