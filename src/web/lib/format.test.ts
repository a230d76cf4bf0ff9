import { describe, expect, it } from 'vitest';
import { formatAgo, formatCount, formatDuration, formatMs, formatRate, formatShare } from './format.ts';

describe('format', () => {
  it('shows no data as a dash, never as zero', () => {
    expect(formatShare(null)).toBe('—');
    expect(formatMs(undefined)).toBe('—');
    expect(formatRate(Number.NaN)).toBe('—');
    expect(formatCount(null)).toBe('—');
  });
  it('never rounds an imperfect share up to 100 %', () => {
    expect(formatShare(0.99996)).toBe('99.9 %');
    expect(formatShare(1)).toBe('100 %');
    expect(formatShare(0.5)).toBe('50.0 %');
  });
  it('milliseconds, rates and durations', () => {
    expect(formatMs(42.4)).toBe('42 ms');
    expect(formatMs(1500)).toBe('1.5 s');
    expect(formatRate(2.345)).toBe('2.3');
    expect(formatRate(12.6)).toBe('13');
    expect(formatDuration(12_000)).toBe('12 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(3 * 3_600_000 + 12 * 60_000)).toBe('3 h 12 min');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000)).toBe('2 d 3 h');
    expect(formatAgo(1000, 4000)).toBe('3 s ago');
    expect(formatCount(12345)).toBe('12,345');
  });
});
