/**
 * The POS terminal ⇄ gateway protocol: JSON text frames `{ type, seq, timestamp, ... }`.
 * This file is the only place their shapes are written; gateway, simulator and tests import it.
 *
 * `seq` on terminal → gateway frames is the terminal's own outbound counter; on `order` frames
 * from the gateway it is the restaurant's order sequence, which `ack` echoes back.
 *
 * Every number a terminal sends (issue 18, item 1): JSON has no NaN or Infinity, and zod's
 * `number()` refuses them, `int()` anything beyond ±2^53 (so `1e308` as a seq is an invalid
 * message). Within that, the protocol refuses (1008) only what a correct terminal can never send;
 * a figure a buggy clock can make implausible is accepted here and dropped and counted by the
 * gateway, which does not disconnect a terminal for a clock bug:
 * - `seq`: a counter, echoed (ping → pong) or looked up (ack); never a figure.
 * - `timestamp`: the terminal's clock, never used by the gateway (its own clock times everything);
 *   an integer of ms, at most the last valid Date (time-bounds.ts): no clock can read later.
 * - `rtt`: a figure; any finite number passes here; the gateway keeps it only within
 *   0 ≤ rtt ≤ the heartbeat interval (`pulse_gateway_implausible_rtt_total`).
 * - ack latency is not sent: the gateway measures it, send → ack, and keeps it only within
 *   0 ≤ latency ≤ `maxAckLatencyMs` (`pulse_gateway_implausible_latency_total`).
 */
import { z } from 'zod';
import { maxTimeMs } from './time-bounds.ts';

const frameBase = {
  seq: z.number().int().nonnegative(),
  timestamp: z.number().int().nonnegative().max(maxTimeMs),
};

/** Terminal-provided strings are bounded here so no frame can smuggle a huge field through. */
const shortText = z.string().max(200);

export const orderPayloadSchema = z.object({
  id: shortText,
  status: z.enum(['open', 'sent', 'preparing', 'ready', 'served', 'paid', 'void']),
  table: shortText.optional(),
  items: z.array(z.object({ name: shortText, qty: z.number().int().positive() })).max(200).optional(),
  totalCents: z.number().int().nonnegative().optional(),
});
export type OrderPayload = z.infer<typeof orderPayloadSchema>;

// ---- terminal → gateway ----------------------------------------------------------------

/**
 * Heartbeat. `rtt` is the terminal's last measured ping→pong round trip, in ms. Not bounded here: a
 * negative or huge one is a clock bug, dropped and counted by the gateway, not a reason to close.
 */
export const pingSchema = z.object({ type: z.literal('ping'), ...frameBase, rtt: z.number().optional() });
/** Acknowledges the order update with restaurant sequence `seq`. */
export const ackSchema = z.object({ type: z.literal('ack'), ...frameBase });
/** An order change made at this terminal; the gateway broadcasts it to the restaurant. */
export const orderSubmitSchema = z.object({ type: z.literal('order'), ...frameBase, order: orderPayloadSchema });

export const terminalMessageSchema = z.discriminatedUnion('type', [pingSchema, ackSchema, orderSubmitSchema]);
export type TerminalMessage = z.infer<typeof terminalMessageSchema>;
export type PingMessage = z.infer<typeof pingSchema>;
export type AckMessage = z.infer<typeof ackSchema>;
export type OrderSubmitMessage = z.infer<typeof orderSubmitSchema>;

// ---- gateway → terminal ----------------------------------------------------------------

/** Answers a ping; `seq` echoes the ping's seq so the terminal can measure its round trip. */
export const pongSchema = z.object({ type: z.literal('pong'), ...frameBase });
/** Sent once after a successful handshake: who the gateway thinks you are. */
export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  ...frameBase,
  terminalId: shortText,
  restaurantId: shortText,
  heartbeatIntervalMs: z.number().int().positive(),
  gatewayId: shortText,
});
/** An order update broadcast to every terminal of one restaurant; `seq` is per restaurant. */
export const orderUpdateSchema = z.object({
  type: z.literal('order'),
  ...frameBase,
  restaurantId: shortText,
  order: orderPayloadSchema,
});
/** A refusal explained before the socket is closed with the matching close code. */
export const errorMessageSchema = z.object({ type: z.literal('error'), ...frameBase, code: z.string(), message: z.string() });

export const gatewayMessageSchema = z.discriminatedUnion('type', [pongSchema, welcomeSchema, orderUpdateSchema, errorMessageSchema]);
export type GatewayMessage = z.infer<typeof gatewayMessageSchema>;
export type PongMessage = z.infer<typeof pongSchema>;
export type WelcomeMessage = z.infer<typeof welcomeSchema>;
export type OrderUpdateMessage = z.infer<typeof orderUpdateSchema>;
export type ErrorMessage = z.infer<typeof errorMessageSchema>;

/** Limits of the POS protocol, shared by gateway and simulator. */
export const posLimits = {
  maxFrameBytes: 64 * 1024,
  heartbeatIntervalMs: 15_000,
  /** Extra time a late ping still counts as on time, and that a silent peer gets before it is declared dead. */
  heartbeatGraceMs: 5_000,
  /** An order update acknowledged more than this after it was sent is a clock step, not a figure (as the ingest's). */
  maxAckLatencyMs: 3_600_000,
} as const;

/** Subprotocol prefix that carries a bearer token: `Sec-WebSocket-Protocol: bearer.<jwt>`. */
export const bearerPrefix = 'bearer.';

/**
 * The subprotocol the gateway selects when a terminal offers it alongside its bearer token. The
 * gateway never echoes `bearer.<jwt>` (that would put the token in a response header), and `ws`
 * clients refuse a handshake in which they offered protocols and got none back, so terminals
 * offer `[posSubprotocol, bearer.<jwt>]`.
 */
export const posSubprotocol = 'pulse.v1';
