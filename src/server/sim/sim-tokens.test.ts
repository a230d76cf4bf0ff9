import { describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { signTerminalToken, verifyTerminalToken } from '../auth/tokens.ts';
import { signSimToken } from './sim-tokens.ts';

const secret = 'sim-token-test-secret-0123456789';

describe('simulator tokens', () => {
  it('are accepted by the gateway verifier with the same claims as signTerminalToken', () => {
    const now = Date.now();
    const token = signSimToken(secret, 'r-001-t1', 'r-001', 3600, now);
    expect(verifyTerminalToken(secret, token)).toEqual({ ok: true, claims: { sub: 'r-001-t1', rid: 'r-001', exp: Math.floor(now / 1000) + 3600 } });
    const reference = jwt.decode(signTerminalToken(secret, 'r-001-t1', 'r-001', 3600), { complete: true });
    const ours = jwt.decode(token, { complete: true });
    expect(ours?.header).toEqual(reference?.header);
    expect(Object.keys(ours?.payload as object).sort()).toEqual(Object.keys(reference?.payload as object).sort());
  });

  it('are refused when expired or signed with another secret, for the right reason', () => {
    expect(verifyTerminalToken(secret, signSimToken(secret, 'r-001-t1', 'r-001', -60, Date.now()))).toMatchObject({ ok: false, reason: 'expired', tid: 'r-001-t1' });
    expect(verifyTerminalToken(secret, signSimToken('another-secret-0123456789', 'r-001-t1', 'r-001', 3600, Date.now()))).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
