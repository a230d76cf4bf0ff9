/**
 * JWTs for terminals and viewers: HS256 only, algorithm pinned on verify, no fallback of any kind.
 * Verification is synchronous so that a socket's listeners can be attached in the same tick as
 * the handshake (an `await` there loses the first frames: see PITFALLS.md).
 */
import jwt from 'jsonwebtoken';
import type { AuthFailReason } from '../../protocol/probe-events.ts';

export type TerminalClaims = { sub: string; rid: string; exp: number };
export const viewerRoles = ['support', 'manager', 'engineer'] as const;
export type ViewerRole = (typeof viewerRoles)[number];
export type ViewerClaims = { sub: string; role: ViewerRole; restaurants?: string[]; exp: number };

export type Verified<T> = { ok: true; claims: T } | { ok: false; reason: AuthFailReason; rid?: string; tid?: string };

const idPattern = /^[A-Za-z0-9._:-]{1,64}$/;

export function signTerminalToken(secret: string, terminal: string, restaurant: string, ttlSeconds = 86_400): string {
  return jwt.sign({ rid: restaurant }, secret, { algorithm: 'HS256', subject: terminal, expiresIn: ttlSeconds });
}

export function signViewerToken(secret: string, viewer: { sub: string; role: ViewerRole; restaurants?: string[] }, ttlSeconds = 86_400): string {
  const payload: Record<string, unknown> = { role: viewer.role };
  if (viewer.restaurants) payload.restaurants = viewer.restaurants;
  return jwt.sign(payload, secret, { algorithm: 'HS256', subject: viewer.sub, expiresIn: ttlSeconds });
}

function classify(error: unknown): AuthFailReason {
  if (error instanceof jwt.TokenExpiredError) return 'expired';
  if (error instanceof jwt.JsonWebTokenError) {
    if (/signature/i.test(error.message)) return 'bad_signature';
    if (/algorithm/i.test(error.message)) return 'bad_algorithm';
    return 'malformed';
  }
  return 'malformed';
}

/** Unverified peek at claims, used only to label an auth failure in telemetry. */
function peek(token: string): { rid?: string; tid?: string } {
  const decoded = jwt.decode(token, { json: true });
  if (!decoded) return {};
  const out: { rid?: string; tid?: string } = {};
  if (typeof decoded.rid === 'string' && idPattern.test(decoded.rid)) out.rid = decoded.rid;
  if (typeof decoded.sub === 'string' && idPattern.test(decoded.sub)) out.tid = decoded.sub;
  return out;
}

function verifyRaw(secret: string, token: string | undefined): { ok: true; payload: jwt.JwtPayload } | { ok: false; reason: AuthFailReason } {
  if (!token) return { ok: false, reason: 'missing' };
  try {
    const payload = jwt.verify(token, secret, { algorithms: ['HS256'], complete: false });
    if (typeof payload === 'string') return { ok: false, reason: 'malformed' };
    if (typeof payload.exp !== 'number') return { ok: false, reason: 'bad_claims' };
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, reason: classify(error) };
  }
}

export function verifyTerminalToken(secret: string, token: string | undefined): Verified<TerminalClaims> {
  const r = verifyRaw(secret, token);
  if (!r.ok) return { ok: false, reason: r.reason, ...(token ? peek(token) : {}) };
  const { sub, rid, exp } = r.payload as { sub?: unknown; rid?: unknown; exp: number };
  if (typeof sub !== 'string' || !idPattern.test(sub) || typeof rid !== 'string' || !idPattern.test(rid)) {
    return { ok: false, reason: 'bad_claims' };
  }
  return { ok: true, claims: { sub, rid, exp } };
}

export function verifyViewerToken(secret: string, token: string | undefined): Verified<ViewerClaims> {
  const r = verifyRaw(secret, token);
  if (!r.ok) return { ok: false, reason: r.reason };
  const { sub, role, restaurants, exp } = r.payload as { sub?: unknown; role?: unknown; restaurants?: unknown; exp: number };
  if (typeof sub !== 'string' || !viewerRoles.includes(role as ViewerRole)) return { ok: false, reason: 'bad_claims' };
  if (role === 'manager') {
    if (!Array.isArray(restaurants) || !restaurants.every((r) => typeof r === 'string' && idPattern.test(r))) {
      return { ok: false, reason: 'bad_claims' };
    }
    return { ok: true, claims: { sub, role, restaurants: restaurants as string[], exp } };
  }
  return { ok: true, claims: { sub, role: role as ViewerRole, exp } };
}
