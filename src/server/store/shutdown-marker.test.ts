import { describe, expect, it } from 'vitest';
import { recoveryMessage } from './shutdown-marker.ts';

describe('recoveryMessage', () => {
  it('says nothing after a clean shutdown or on a fresh file', () => {
    expect(recoveryMessage({ cleanShutdown: true, freshFile: false, lastWriteAt: 1 }, 1000)).toBeUndefined();
    expect(recoveryMessage({ cleanShutdown: true, freshFile: true }, 1000)).toBeUndefined();
  });

  it('names the local time of the last committed batch after a crash', () => {
    const at = new Date(2026, 0, 2, 19, 42, 7).getTime();
    expect(recoveryMessage({ cleanShutdown: false, freshFile: false, lastWriteAt: at }, 1000)).toBe(
      'previous run did not shut down cleanly; data after 19:42:07 (at most one batch interval, 1000 ms) may be missing',
    );
    expect(recoveryMessage({ cleanShutdown: false, freshFile: false }, 1000)).toMatch(/did not shut down cleanly; it wrote nothing/);
  });
});
