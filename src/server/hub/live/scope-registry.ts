/**
 * The scopes whose totals each tick must compute: those of connected viewers, and those of
 * viewers gone for less than the history's length, because a viewer that comes back resumes with
 * the totals of the ticks it missed — and a subset's past totals cannot be rebuilt afterwards.
 * The whole-fleet scope is always kept: it is the common case and costs one totals call a tick.
 */
import { allKey, scopeOfClaims, type Scope } from './viewer-scope.ts';

type Held = { scope: Scope; viewers: number; keepUntilSeq: number };

export class ScopeRegistry {
  private held = new Map<string, Held>();

  constructor(private readonly retainTicks: number) {
    const all = scopeOfClaims({ role: 'support' });
    this.held.set(allKey, { scope: all, viewers: 1, keepUntilSeq: Infinity });
  }

  /** Returns the registered instance, so viewers of one scope share one object and one key. */
  acquire(scope: Scope): Scope {
    const held = this.held.get(scope.key);
    if (held) {
      held.viewers++;
      return held.scope;
    }
    this.held.set(scope.key, { scope, viewers: 1, keepUntilSeq: Infinity });
    return scope;
  }

  release(scope: Scope, seq: number): void {
    const held = this.held.get(scope.key);
    if (!held || scope.key === allKey) return;
    held.viewers = Math.max(0, held.viewers - 1);
    if (held.viewers === 0) held.keepUntilSeq = seq + this.retainTicks;
  }

  /** Scopes to total at tick `seq`; forgets those idle past the history. */
  active(seq: number): Scope[] {
    const out: Scope[] = [];
    for (const [key, held] of this.held) {
      if (held.viewers === 0 && seq > held.keepUntilSeq) this.held.delete(key);
      else out.push(held.scope);
    }
    return out;
  }

  get size(): number {
    return this.held.size;
  }
}
