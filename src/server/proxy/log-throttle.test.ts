import { describe, expect, it } from 'vitest';
import { throttleLog } from './log-throttle.ts';

describe('log throttle', () => {
  it('writes the first line of each interval with the count of those it did not write', () => {
    let t = 0;
    const lines: number[] = [];
    const throttled = throttleLog(1000, () => t);
    for (t = 0; t < 2500; t += 100) throttled((skipped) => lines.push(skipped));
    expect(lines).toEqual([0, 9, 9]);
  });
});
