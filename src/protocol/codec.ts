/**
 * Codecs take strings and return a typed value or a `PulseError` with a stable code — never a
 * socket, never a throw. Callers decide what a refusal does (close code, HTTP status).
 */
import type { z } from 'zod';
import { PulseError } from './errors.ts';
import { gatewayMessageSchema, terminalMessageSchema } from './pos-messages.ts';
import type { GatewayMessage, TerminalMessage } from './pos-messages.ts';

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: PulseError };

/** Decode one JSON text frame against a discriminated-union schema. */
export function decodeWith<T>(schema: z.ZodType<T>, text: string, knownTypes: readonly string[]): Decoded<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: new PulseError('NOT_JSON') };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: new PulseError('INVALID_MESSAGE', 'expected an object') };
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !knownTypes.includes(type)) {
    return { ok: false, error: new PulseError('UNKNOWN_TYPE', typeof type === 'string' ? type.slice(0, 40) : 'missing type') };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'invalid';
    return { ok: false, error: new PulseError('INVALID_MESSAGE', where.slice(0, 80)) };
  }
  return { ok: true, value: parsed.data };
}

const terminalTypes = ['ping', 'ack', 'order'] as const;
const gatewayTypes = ['pong', 'welcome', 'order', 'error'] as const;

export function decodeTerminalMessage(text: string): Decoded<TerminalMessage> {
  return decodeWith(terminalMessageSchema, text, terminalTypes);
}

export function decodeGatewayMessage(text: string): Decoded<GatewayMessage> {
  return decodeWith(gatewayMessageSchema, text, gatewayTypes);
}

export function encodeMessage(message: TerminalMessage | GatewayMessage): string {
  return JSON.stringify(message);
}
