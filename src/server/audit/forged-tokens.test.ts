/**
 * Each forgery is what its label says, judged by an independent verifier (jsonwebtoken, as the
 * Node example gateway uses, not the fast-jwt the forgeries and the reference gateway use).
 */
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { forgeTokens } from './forged-tokens.ts';

const secret = 'forge-test-secret-0123456789';
const nowMs = Date.now();
const who = { rid: 'r-1', tid: 'till-1' };
const good = signTerminalToken(secret, who.tid, who.rid, 600, nowMs);
const decode = (t: string) => jwt.decode(t, { complete: true });

describe('forgeTokens with the secret', () => {
  const plan = forgeTokens({ good, who, secret, nowMs });
  const one = (label: string) => plan.forgeries.find((f) => f.label === label)!.token!;

  it('covers every bad-token check, none unavailable', () => {
    expect(new Set(plan.forgeries.map((f) => f.check))).toEqual(new Set(['token.missing', 'token.malformed', 'token.expired', 'token.signature', 'token.alg-none', 'token.algorithm', 'token.claims', 'token.role']));
    expect(plan.unavailable).toEqual([]);
  });

  it('the signed forgeries carry the right signature (only the claims are wrong) and HS512 verifies as HS512', () => {
    expect(() => jwt.verify(one('expired 10 minutes ago'), secret, { algorithms: ['HS256'] })).toThrow(jwt.TokenExpiredError);
    expect(jwt.verify(one('HS512 with the right secret (HS256 not pinned)'), secret, { algorithms: ['HS512'] })).toMatchObject({ sub: 'till-1', rid: 'r-1' });
    expect(() => jwt.verify(one('HS512 with the right secret (HS256 not pinned)'), secret, { algorithms: ['HS256'] })).toThrow(/invalid algorithm/);
    expect(jwt.verify(one('sub ""'), secret, { algorithms: ['HS256'] })).toMatchObject({ sub: '', rid: 'r-1' });
    expect(jwt.verify(one('no exp'), secret, { algorithms: ['HS256'] })).not.toHaveProperty('exp');
    expect(jwt.verify(one('a terminal\'s claims plus role "gateway" (a probe token)'), secret, { algorithms: ['HS256'] })).toMatchObject({ sub: 'till-1', rid: 'r-1', role: 'gateway' });
  });

  it('alg none keeps the good claims and drops the signature; the wrong signature keeps header and claims', () => {
    const none = one('alg "none", the good claims, no signature');
    expect(decode(none)).toMatchObject({ header: { alg: 'none' }, payload: { sub: 'till-1', rid: 'r-1' }, signature: '' });
    const wrong = one('the good token signed with another key');
    expect(wrong.split('.').slice(0, 2)).toEqual(good.split('.').slice(0, 2));
    expect(() => jwt.verify(wrong, secret, { algorithms: ['HS256'] })).toThrow(/invalid signature/);
  });
});

describe('forgeTokens without the secret (--token-cmd)', () => {
  it('makes the four that need no key and lists the four that do', () => {
    const plan = forgeTokens({ good, who, nowMs });
    expect([...new Set(plan.forgeries.map((f) => f.check))]).toEqual(['token.missing', 'token.malformed', 'token.signature', 'token.alg-none']);
    expect(plan.unavailable.map((u) => u.check)).toEqual(['token.expired', 'token.algorithm', 'token.claims', 'token.role']);
    expect(plan.unavailable[0]!.why).toMatch(/needs the signing secret \(--secret\)/);
  });
});
