/** The keyboard shortcuts as actions, and the marker a jump lands on. */
import { describe, expect, it } from 'vitest';
import { adjacentMarker, replayActionOf } from './replay-keys.ts';

const key = (k: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean }> = {}) => replayActionOf({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('replay shortcuts', () => {
  it('maps the documented keys', () => {
    expect(key(' ')).toEqual({ type: 'toggle' });
    expect(key('ArrowLeft')).toEqual({ type: 'step', ms: -1000 });
    expect(key('ArrowRight', { shiftKey: true })).toEqual({ type: 'step', ms: 60_000 });
    expect(['1', '2', '3', '4'].map((k) => key(k))).toEqual([1, 10, 60, 600].map((speed) => ({ type: 'speed', speed })));
    expect([key('<'), key('>'), key('n'), key('P'), key('End')]).toEqual([{ type: 'slower' }, { type: 'faster' }, { type: 'marker', direction: 1 }, { type: 'marker', direction: -1 }, { type: 'edge', end: 'to' }]);
  });

  it('leaves the browser its own shortcuts and unknown keys', () => {
    expect(key('ArrowLeft', { ctrlKey: true })).toBeNull();
    expect(key('x')).toBeNull();
  });

  it('finds the next and previous marker; standing on one, previous is the one before', () => {
    const times = [3000, 1000, 2000];
    expect(adjacentMarker(times, 1500, 1)).toBe(2000);
    expect(adjacentMarker(times, 2000, -1)).toBe(1000);
    expect(adjacentMarker(times, 3000, 1)).toBeNull();
  });
});
