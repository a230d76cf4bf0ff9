import { describe, expect, it } from 'vitest';
import { terminalKey, terminalOfKey } from './terminal-key.ts';

describe('terminalKey', () => {
  it('tells two restaurants\' till-1 apart, and no two pairs share a key', () => {
    expect(terminalKey('r-a', 'till-1')).not.toBe(terminalKey('r-b', 'till-1'));
    // A plain join would make these one: r-a + "-b-till" vs r-a-b + "till".
    expect(terminalKey('r-a', 'b-till')).not.toBe(terminalKey('r-a-b', 'till'));
    expect(terminalOfKey(terminalKey('r-a', 'till-1'))).toEqual({ rid: 'r-a', tid: 'till-1' });
  });
});
