/**
 * Terminal tokens for the simulator, signed with node:crypto directly.
 *
 * Why not `signTerminalToken` (jsonwebtoken): it costs ~0.8 ms a token here, against ~15 µs for
 * the same HS256 JWT built by hand. At 19,000 terminals ramping in at 500/s that is the difference
 * between 40 % of a core spent signing and under 1 %. The output is the same token: header
 * `{"alg":"HS256","typ":"JWT"}`, claims `rid`, `iat`, `exp`, `sub` — and the tests check that the
 * gateway's own verifier (auth/tokens.ts) accepts it, and refuses the bad variants for the right reason.
 */
import { createHmac } from 'node:crypto';

const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** A terminal token; `ttlSeconds` may be negative for one that has already expired. */
export function signSimToken(secret: string, terminal: string, restaurant: string, ttlSeconds: number, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const payload = Buffer.from(JSON.stringify({ rid: restaurant, iat, exp: iat + Math.trunc(ttlSeconds), sub: terminal })).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
