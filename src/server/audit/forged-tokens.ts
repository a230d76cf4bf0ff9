/**
 * The bad tokens a gateway must refuse, forged from a good one. Pure functions of the secret (when
 * the auditor has it), a token the gateway accepts, and the time — so the same inputs make the
 * same tokens and the test of each forgery needs no socket.
 *
 * Without the secret (`--token-cmd`) only the forgeries that need no key can be made: missing,
 * malformed, a wrong signature (HMAC under another key) and `alg: none` (the good token's payload
 * with the signature dropped). Expired, another algorithm, claims missing and a `role` claim need
 * the key, and their checks say so instead of passing.
 *
 * Claims rule (the lead's decision, the same the reference gateway applies): the signature is
 * checked with HS256 pinned, `exp` is required, `sub` and `rid` are non-empty strings, and a token
 * carrying a `role` claim is a dashboard's or probe's, never a terminal's. The spelling of `sub` is
 * not interpreted: terminal ids are per restaurant (`till-1` in every restaurant).
 */
import { createHmac } from 'node:crypto';

export type Identity = { rid: string; tid: string };

export type BadTokenCheck = 'token.missing' | 'token.malformed' | 'token.expired' | 'token.signature' | 'token.alg-none' | 'token.algorithm' | 'token.claims' | 'token.role';

export interface Forgery {
  check: BadTokenCheck;
  /** What this token is, in words, for the evidence. */
  label: string;
  /** null = no token at all. */
  token: string | null;
}

export type ForgeryPlan = { forgeries: Forgery[]; unavailable: { check: BadTokenCheck; why: string }[] };

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function hmac(algorithm: 'sha256' | 'sha512', key: string, data: string): string {
  return createHmac(algorithm, key).update(data).digest('base64url');
}

/** HS256 over arbitrary claims (fast-jwt's signer would add or check claims itself). */
export function signRaw(secret: string, claims: Record<string, unknown>, alg: 'HS256' | 'HS512' = 'HS256'): string {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${hmac(alg === 'HS256' ? 'sha256' : 'sha512', secret, head)}`;
}

/**
 * Every forgery there is for `good` (a token the gateway accepts for `who`). With `secret`, all of
 * them; without, the four that need no key, and the rest listed as unavailable.
 */
export function forgeTokens(o: { good: string; who: Identity; secret?: string; nowMs: number }): ForgeryPlan {
  const [header, payload] = o.good.split('.');
  const forgeries: Forgery[] = [
    { check: 'token.missing', label: 'no token at all', token: null },
    { check: 'token.malformed', label: '"not-a-jwt"', token: 'not-a-jwt' },
    { check: 'token.malformed', label: 'three segments of junk', token: 'eyJub3Q.anNvbg.c2ln' },
    { check: 'token.signature', label: 'the good token signed with another key', token: `${header}.${payload}.${hmac('sha256', 'pulse-audit-wrong-key', `${header}.${payload}`)}` },
    { check: 'token.signature', label: 'the good token with no signature', token: `${header}.${payload}.` },
    { check: 'token.alg-none', label: 'alg "none", the good claims, no signature', token: `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.` },
  ];
  const unavailable: ForgeryPlan['unavailable'] = [];
  if (o.secret === undefined) {
    for (const check of ['token.expired', 'token.algorithm', 'token.claims', 'token.role'] as const) {
      unavailable.push({ check, why: 'forging it needs the signing secret (--secret); a --token-cmd token cannot be re-signed' });
    }
    return { forgeries, unavailable };
  }
  const s = o.secret;
  const iat = Math.floor(o.nowMs / 1000);
  const exp = iat + 600;
  const { rid, tid } = o.who;
  forgeries.push(
    // Ten minutes past: beyond any sane clock-skew leeway.
    { check: 'token.expired', label: 'expired 10 minutes ago', token: signRaw(s, { sub: tid, rid, iat: iat - 1200, exp: iat - 600 }) },
    { check: 'token.algorithm', label: 'HS512 with the right secret (HS256 not pinned)', token: signRaw(s, { sub: tid, rid, iat, exp }, 'HS512') },
    { check: 'token.claims', label: 'no sub', token: signRaw(s, { rid, iat, exp }) },
    { check: 'token.claims', label: 'no rid', token: signRaw(s, { sub: tid, iat, exp }) },
    { check: 'token.claims', label: 'no exp', token: signRaw(s, { sub: tid, rid, iat }) },
    { check: 'token.claims', label: 'sub ""', token: signRaw(s, { sub: '', rid, iat, exp }) },
    { check: 'token.claims', label: 'rid ""', token: signRaw(s, { sub: tid, rid: '', iat, exp }) },
    { check: 'token.claims', label: 'sub a number', token: signRaw(s, { sub: 42, rid, iat, exp }) },
    { check: 'token.role', label: 'a terminal\'s claims plus role "gateway" (a probe token)', token: signRaw(s, { sub: tid, rid, role: 'gateway', iat, exp }) },
    { check: 'token.role', label: 'a terminal\'s claims plus role "support" (a dashboard token)', token: signRaw(s, { sub: tid, rid, role: 'support', iat, exp }) },
  );
  return { forgeries, unavailable };
}
