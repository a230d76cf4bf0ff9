import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmitter } from './emitter.ts';

type Events = { tick: (n: number) => void; done: () => void };

describe('emitter', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('delivers in order, unsubscribes, counts and clears', () => {
    const e = createEmitter<Events>();
    const seen: string[] = [];
    const off = e.on('tick', (n) => seen.push(`a${n}`));
    e.on('tick', (n) => seen.push(`b${n}`));
    e.on('done', () => seen.push('done'));
    expect(e.count()).toBe(3);
    e.emit('tick', 1);
    off();
    off();
    e.emit('tick', 2);
    e.emit('done');
    expect(seen).toEqual(['a1', 'b1', 'b2', 'done']);
    e.clear();
    expect(e.count()).toBe(0);
  });

  it('a throwing listener does not stop the others, and its error is rethrown later, not lost', () => {
    const deferred: Array<() => void> = [];
    vi.stubGlobal('queueMicrotask', (fn: () => void) => deferred.push(fn));
    const e = createEmitter<Events>();
    const seen: number[] = [];
    e.on('tick', () => {
      throw new Error('listener bug');
    });
    e.on('tick', (n) => seen.push(n));
    expect(() => e.emit('tick', 7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow('listener bug');
  });
});
