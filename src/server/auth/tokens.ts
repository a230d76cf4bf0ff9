/**
 * JWTs for terminals and viewers: HS256 only, algorithm pinned on verify, no fallback of any kind.
 * Verification is synchronous so that a socket's listeners can be attached in the same tick as
 * the handshake (an `await` there loses the first frames: see PITFALLS.md).
 *
 * fast-jwt rather than jsonwebtoken: jsonwebtoken costs ~430 µs per verify on this machine (it
 * rebuilds a KeyObject and re-validates options every call), fast-jwt ~7 µs with a verifier built
 * once per secret — the difference between a 19,000-terminal reconnect herd costing 8 s or 0.15 s
 * of gateway CPU.
 */
import { createDecoder, createSigner, createVerifier, TokenError } from 'fast-jwt';
import type { AuthFailReason } from '../../protocol/probe-events.ts';

export type TerminalClaims = { sub: string; rid: string; exp: number };
export const viewerRoles = ['support', 'manager', 'engineer'] as const;
export type ViewerRole = (typeof viewerRoles)[number];
export type ViewerClaims = { sub: string; role: ViewerRole; restaurants?: string[]; exp: number };
/** A probe's token (role `gateway`): may write telemetry to `/ingest` for gateway `sub` only, may read nothing. */
export type GatewayClaims = { sub: string; role: 'gateway'; exp: number };

export type Verified<T> = { ok: true; claims: T } | { ok: false; reason: AuthFailReason; rid?: string; tid?: string };

const idPattern = /^[A-Za-z0-9._:-]{1,64}$/;

type Payload = Record<string, unknown>;

// Signers and verifiers are built once per secret: building them is the expensive part.
const signers = new Map<string, (payload: Payload) => string>();
const verifiers = new Map<string, (token: string) => Payload>();
const decode = createDecoder();

function signerFor(secret: string): (payload: Payload) => string {
  let signer = signers.get(secret);
  if (!signer) {
    // iat/exp are written by us (see `sign`) so a caller can mint an already-expired token for tests.
    signer = createSigner({ key: secret, algorithm: 'HS256', noTimestamp: true }) as (payload: Payload) => string;
    signers.set(secret, signer);
  }
  return signer;
}

function verifierFor(secret: string): (token: string) => Payload {
  let verifier = verifiers.get(secret);
  if (!verifier) {
    verifier = createVerifier({ key: secret, algorithms: ['HS256'], requiredClaims: ['exp'], cache: false }) as (token: string) => Payload;
    verifiers.set(secret, verifier);
  }
  return verifier;
}

function sign(secret: string, claims: Payload, ttlSeconds: number, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  return signerFor(secret)({ ...claims, iat, exp: iat + Math.trunc(ttlSeconds) });
}

/** `ttlSeconds` may be negative to mint an already-expired token (simulated faults, tests). */
export function signTerminalToken(secret: string, terminal: string, restaurant: string, ttlSeconds = 86_400, nowMs = Date.now()): string {
  return sign(secret, { sub: terminal, rid: restaurant }, ttlSeconds, nowMs);
}

export function signViewerToken(
  secret: string,
  viewer: { sub: string; role: ViewerRole; restaurants?: string[] },
  ttlSeconds = 86_400,
  nowMs = Date.now(),
): string {
  const claims: Payload = { sub: viewer.sub, role: viewer.role };
  if (viewer.restaurants) claims.restaurants = viewer.restaurants;
  return sign(secret, claims, ttlSeconds, nowMs);
}

export function signGatewayToken(secret: string, gatewayId: string, ttlSeconds = 365 * 86_400, nowMs = Date.now()): string {
  return sign(secret, { sub: gatewayId, role: 'gateway' }, ttlSeconds, nowMs);
}

function classify(error: unknown): AuthFailReason {
  if (!(error instanceof TokenError)) return 'malformed';
  switch (error.code) {
    case TokenError.codes.expired:
      return 'expired';
    case TokenError.codes.invalidSignature:
    case TokenError.codes.missingSignature:
      return 'bad_signature';
    case TokenError.codes.invalidAlgorithm:
      return 'bad_algorithm';
    case TokenError.codes.missingRequiredClaim:
    case TokenError.codes.invalidClaimType:
    case TokenError.codes.invalidClaimValue:
      return 'bad_claims';
    default:
      return 'malformed';
  }
}

/**
 * Unverified peek at claims: labels an auth failure in telemetry, and names the terminal behind a
 * proxy that has not been given the secret (marked unverified, with the gateway's 4001 as verdict).
 */
export function peekTerminalClaims(token: string): { rid?: string; tid?: string } {
  return peek(token);
}

function peek(token: string): { rid?: string; tid?: string } {
  let decoded: unknown;
  try {
    decoded = decode(token);
  } catch {
    return {};
  }
  if (typeof decoded !== 'object' || decoded === null) return {};
  const { rid, sub } = decoded as Payload;
  const out: { rid?: string; tid?: string } = {};
  if (typeof rid === 'string' && idPattern.test(rid)) out.rid = rid;
  if (typeof sub === 'string' && idPattern.test(sub)) out.tid = sub;
  return out;
}

function verifyRaw(secret: string, token: string | undefined): { ok: true; payload: Payload & { exp: number } } | { ok: false; reason: AuthFailReason } {
  if (!token) return { ok: false, reason: 'missing' };
  try {
    const payload = verifierFor(secret)(token);
    if (typeof payload !== 'object' || payload === null || typeof payload.exp !== 'number') return { ok: false, reason: 'bad_claims' };
    return { ok: true, payload: payload as Payload & { exp: number } };
  } catch (error) {
    return { ok: false, reason: classify(error) };
  }
}

/**
 * What a gateway checks of a terminal's token (issue 18, item 6; docs/architecture.md, "Terminal
 * token claims"): the signature, HS256 only; `exp`; `rid` and `sub` present, each 1–64 of
 * `[A-Za-z0-9._:-]`; and no `role` — a viewer's or a probe's token is not a terminal's, even when
 * it carries a `rid`. The spelling of `sub` is not interpreted: terminal ids are per restaurant, so
 * `sub: r-002-t9, rid: r-001` is terminal "r-002-t9" of r-001, not a claim on r-002.
 */
export function verifyTerminalToken(secret: string, token: string | undefined): Verified<TerminalClaims> {
  const r = verifyRaw(secret, token);
  if (!r.ok) return { ok: false, reason: r.reason, ...(token ? peek(token) : {}) };
  const { sub, rid, exp } = r.payload as { sub?: unknown; rid?: unknown; exp: number };
  if (typeof sub !== 'string' || !idPattern.test(sub) || typeof rid !== 'string' || !idPattern.test(rid)) {
    return { ok: false, reason: 'bad_claims' };
  }
  if ('role' in r.payload) return { ok: false, reason: 'bad_claims', rid, tid: sub };
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

/** A viewer token (or any other role) is `bad_claims` here, as a gateway token is for `verifyViewerToken`. */
export function verifyGatewayToken(secret: string, token: string | undefined): Verified<GatewayClaims> {
  const r = verifyRaw(secret, token);
  if (!r.ok) return { ok: false, reason: r.reason };
  const { sub, role, exp } = r.payload as { sub?: unknown; role?: unknown; exp: number };
  if (role !== 'gateway' || typeof sub !== 'string' || !idPattern.test(sub)) return { ok: false, reason: 'bad_claims' };
  return { ok: true, claims: { sub, role: 'gateway', exp } };
}
