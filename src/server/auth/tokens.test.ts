import { describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { signGatewayToken, signTerminalToken, signViewerToken, verifyGatewayToken, verifyTerminalToken, verifyViewerToken } from './tokens.ts';

// Adversarial tokens are crafted with jsonwebtoken, an independent implementation, so these tests
// do not only check that our signer agrees with our verifier.
const secret = 'token-test-secret-0123456789abcdef';
const now = Date.now();

describe('terminal tokens', () => {
  it('round-trip sub, rid and exp', () => {
    const token = signTerminalToken(secret, 'r-001-t1', 'r-001', 3600, now);
    expect(verifyTerminalToken(secret, token)).toEqual({ ok: true, claims: { sub: 'r-001-t1', rid: 'r-001', exp: Math.floor(now / 1000) + 3600 } });
    expect(jwt.verify(token, secret, { algorithms: ['HS256'] })).toMatchObject({ sub: 'r-001-t1', rid: 'r-001' });
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '', 'missing'],
    ['garbage', 'not.a.jwt', 'malformed'],
    ['expired', signTerminalToken(secret, 'r-001-t1', 'r-001', -60, now), 'expired'],
    ['wrong secret', signTerminalToken('another-secret-0123456789', 'r-001-t1', 'r-001', 3600, now), 'bad_signature'],
    ['alg none', jwt.sign({ rid: 'r-001', sub: 't', exp: Math.floor(now / 1000) + 60 }, null, { algorithm: 'none' }), 'bad_signature'],
    ['HS512 with the right secret', jwt.sign({ rid: 'r-001', sub: 't' }, secret, { algorithm: 'HS512', expiresIn: 60 }), 'bad_algorithm'],
    ['no exp', jwt.sign({ rid: 'r-001', sub: 't' }, secret, { algorithm: 'HS256' }), 'bad_claims'],
    ['no rid', jwt.sign({ sub: 't' }, secret, { algorithm: 'HS256', expiresIn: 60 }), 'bad_claims'],
    ['markup as terminal id', jwt.sign({ rid: 'r-001', sub: '<img src=x>' }, secret, { algorithm: 'HS256', expiresIn: 60 }), 'bad_claims'],
  ] as const)('refuses a %s token as %s', (_name, token, reason) => {
    expect(verifyTerminalToken(secret, token)).toMatchObject({ ok: false, reason });
  });

  it('labels a refused token with its unverified ids for telemetry only', () => {
    const result = verifyTerminalToken(secret, signTerminalToken(secret, 'r-001-t1', 'r-001', -60, now));
    expect(result).toEqual({ ok: false, reason: 'expired', rid: 'r-001', tid: 'r-001-t1' });
  });
});

describe('viewer tokens', () => {
  it('carry role and, for managers, their restaurants', () => {
    const manager = signViewerToken(secret, { sub: 'ann', role: 'manager', restaurants: ['r-001', 'r-002'] }, 60, now);
    expect(verifyViewerToken(secret, manager)).toMatchObject({ ok: true, claims: { sub: 'ann', role: 'manager', restaurants: ['r-001', 'r-002'] } });
    const support = signViewerToken(secret, { sub: 'bo', role: 'support' }, 60, now);
    expect(verifyViewerToken(secret, support)).toMatchObject({ ok: true, claims: { role: 'support' } });
  });

  it('refuses a manager without restaurants and an unknown role', () => {
    expect(verifyViewerToken(secret, jwt.sign({ sub: 'x', role: 'manager' }, secret, { expiresIn: 60 }))).toMatchObject({ ok: false, reason: 'bad_claims' });
    expect(verifyViewerToken(secret, jwt.sign({ sub: 'x', role: 'root' }, secret, { expiresIn: 60 }))).toMatchObject({ ok: false, reason: 'bad_claims' });
  });

  it('does not accept a terminal token as a viewer token', () => {
    expect(verifyViewerToken(secret, signTerminalToken(secret, 'r-001-t1', 'r-001', 60, now))).toMatchObject({ ok: false, reason: 'bad_claims' });
  });
});

describe('gateway tokens', () => {
  it('round-trip the gateway id with role gateway', () => {
    const token = signGatewayToken(secret, 'gw-eu-1', 3600, now);
    expect(verifyGatewayToken(secret, token)).toEqual({ ok: true, claims: { sub: 'gw-eu-1', role: 'gateway', exp: Math.floor(now / 1000) + 3600 } });
  });

  it('a gateway token is no viewer token, and a viewer or terminal token is no gateway token', () => {
    expect(verifyViewerToken(secret, signGatewayToken(secret, 'gw-eu-1'))).toMatchObject({ ok: false, reason: 'bad_claims' });
    expect(verifyGatewayToken(secret, signViewerToken(secret, { sub: 'v', role: 'engineer' }))).toMatchObject({ ok: false, reason: 'bad_claims' });
    expect(verifyGatewayToken(secret, signTerminalToken(secret, 't', 'r-001'))).toMatchObject({ ok: false, reason: 'bad_claims' });
  });

  it('refuses expired, forged and alg-none gateway tokens', () => {
    expect(verifyGatewayToken(secret, signGatewayToken(secret, 'gw', -5, now))).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyGatewayToken(secret, signGatewayToken('another-secret-0123456789', 'gw'))).toMatchObject({ ok: false, reason: 'bad_signature' });
    const none = jwt.sign({ sub: 'gw', role: 'gateway', exp: Math.floor(now / 1000) + 60 }, null, { algorithm: 'none' });
    expect(verifyGatewayToken(secret, none)).toMatchObject({ ok: false });
  });
});
