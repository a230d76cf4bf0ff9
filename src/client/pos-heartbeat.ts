/**
 * The default heartbeat frames: the POS protocol's ping and pong (protocol/pos-messages). A
 * dashboard or another protocol passes its own `makePing` / `isPong` instead.
 */
import { encodeMessage } from '../protocol/codec.ts';

/** `{type:"ping", seq, timestamp, rtt?}`; `rtt` is the last round trip measured, once there is one. */
export function makePosPing(ctx: { seq: number; now: number; rtt: number | undefined }): string {
  const timestamp = Math.max(0, Math.floor(ctx.now));
  if (ctx.rtt === undefined) return encodeMessage({ type: 'ping', seq: ctx.seq, timestamp });
  return encodeMessage({ type: 'ping', seq: ctx.seq, timestamp, rtt: Math.max(0, Math.round(ctx.rtt)) });
}

/**
 * Recognises the gateway's `{type:"pong", seq}`. Called on every incoming frame, so it skips the
 * JSON parse for frames that cannot be a pong (order updates are the bulk of the traffic).
 */
export function isPosPong(data: string): { seq: number } | null {
  if (!data.includes('"pong"')) return null;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof frame !== 'object' || frame === null) return null;
  const { type, seq } = frame as { type?: unknown; seq?: unknown };
  return type === 'pong' && typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 ? { seq } : null;
}
