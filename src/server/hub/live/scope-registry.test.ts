import { describe, expect, it } from 'vitest';
import { ScopeRegistry } from './scope-registry.ts';
import { allKey, scopeOfClaims } from './viewer-scope.ts';

describe('viewer scope', () => {
  it('gives support and engineers every restaurant, a manager their list only', () => {
    const support = scopeOfClaims({ role: 'support' });
    expect(support.includes('r-9')).toBe(true);
    expect(support.includes(undefined)).toBe(true);
    const manager = scopeOfClaims({ role: 'manager', restaurants: ['r-2', 'r-1', 'r-2'] });
    expect(manager.wire).toEqual({ role: 'manager', restaurants: ['r-1', 'r-2'] });
    expect(manager.key).toBe(scopeOfClaims({ role: 'manager', restaurants: ['r-1', 'r-2'] }).key);
    expect(manager.includes('r-1')).toBe(true);
    expect(manager.includes('r-3')).toBe(false);
    expect(manager.includes(undefined)).toBe(false);
    expect(scopeOfClaims({ role: 'manager' }).includes('r-1')).toBe(false);
  });
});

describe('ScopeRegistry', () => {
  it('keeps a scope while viewers hold it and for the history length after the last leaves', () => {
    const reg = new ScopeRegistry(3);
    const m = reg.acquire(scopeOfClaims({ role: 'manager', restaurants: ['r-1'] }));
    const again = reg.acquire(scopeOfClaims({ role: 'manager', restaurants: ['r-1'] }));
    expect(again).toBe(m);
    reg.release(m, 10);
    expect(reg.active(20).map((s) => s.key)).toContain(m.key); // one viewer still holds it
    reg.release(m, 20);
    expect(reg.active(23).map((s) => s.key)).toEqual([allKey, m.key]);
    expect(reg.active(24).map((s) => s.key)).toEqual([allKey]);
    expect(reg.size).toBe(1);
  });

  it('always totals the whole fleet', () => {
    const reg = new ScopeRegistry(0);
    const all = reg.acquire(scopeOfClaims({ role: 'engineer' }));
    reg.release(all, 1);
    expect(reg.active(1_000).map((s) => s.key)).toEqual([allKey]);
  });
});
