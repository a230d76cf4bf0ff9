import { describe, expect, it } from 'vitest';
import { claimToken, hashWithoutToken, tokenExpiry, tokenFromHash, tokenProblem, tokenStorageKey } from './token.ts';

const b64url = (o: object): string => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jwtWith = (claims: object): string => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.sig`;

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('sign-in token', () => {
  it('reads the token from the fragment and keeps other fragment parameters', () => {
    expect(tokenFromHash('#token=abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFromHash('#x=1&token=t')).toBe('t');
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash('#token=')).toBeNull();
    expect(hashWithoutToken('#token=t')).toBe('');
    expect(hashWithoutToken('#x=1&token=t')).toBe('#x=1');
  });

  it('decodes exp without verifying, and tolerates garbage', () => {
    expect(tokenExpiry(jwtWith({ sub: 'v', exp: 1234 }))).toBe(1234);
    expect(tokenExpiry(jwtWith({ sub: 'v' }))).toBeNull();
    expect(tokenExpiry('not-a-jwt')).toBeNull();
    expect(tokenExpiry('a.%%%.c')).toBeNull();
  });

  it('words the problem: missing, expired, or none (the hub decides the rest)', () => {
    const now = 2_000_000_000_000;
    expect(tokenProblem(null, now)).toBe('missing');
    expect(tokenProblem(jwtWith({ exp: now / 1000 - 1 }), now)).toBe('expired');
    expect(tokenProblem(jwtWith({ exp: now / 1000 + 60 }), now)).toBeNull();
    expect(tokenProblem('garbage', now)).toBeNull();
  });

  it('claims the token from the link, stores it for the tab and removes it from the address bar', () => {
    const storage = memoryStorage({ [tokenStorageKey]: 'old' });
    const replaced: string[] = [];
    const token = claimToken({ hash: '#token=new', storage, replaceHash: (h) => replaced.push(h) });
    expect(token).toBe('new');
    expect(storage.data.get(tokenStorageKey)).toBe('new');
    expect(replaced).toEqual(['']);
  });

  it('falls back to the stored token when the link carries none, leaving the address bar alone', () => {
    const storage = memoryStorage({ [tokenStorageKey]: 'kept' });
    const replaced: string[] = [];
    expect(claimToken({ hash: '', storage, replaceHash: (h) => replaced.push(h) })).toBe('kept');
    expect(replaced).toEqual([]);
    expect(claimToken({ hash: '', storage: memoryStorage(), replaceHash: () => {} })).toBeNull();
  });
});
