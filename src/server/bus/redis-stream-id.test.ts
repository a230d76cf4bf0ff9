import { describe, expect, it } from 'vitest';
import { compareStreamIds, isStreamPosition, streamIdMs } from './redis-stream-id.ts';

describe('redis stream ids', () => {
  it('accepts $ and ids, refuses anything else', () => {
    for (const ok of ['$', '0', '0-0', '1700000000000-0', '1700000000000', '1700000000000-18446744073709551615']) expect(isStreamPosition(ok), ok).toBe(true);
    for (const bad of ['', '>', '-', '+', 'yesterday', '1-2-3', '-5', '1700000000000-']) expect(isStreamPosition(bad), bad).toBe(false);
  });

  it('orders by ms, then by sequence, numerically rather than as text', () => {
    expect(compareStreamIds('9-0', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('10', '10-0')).toBe(0);
    expect(compareStreamIds('1700000000001-0', '1700000000000-99')).toBe(1);
    expect(() => compareStreamIds('$', '0-0')).toThrow(/not a stream id/);
  });

  it('reads the ms part', () => {
    expect(streamIdMs('1700000000123-4')).toBe(1_700_000_000_123);
    expect(streamIdMs('$')).toBeNull();
  });
});
