import { describe, expect, it } from 'vitest';
import { buildTimeline } from './build-timeline.ts';
import { timelinePolicy, timelineRulesOf } from './timeline-policy.ts';
import { at, e, read } from './test-helpers/timeline-fixtures.ts';

describe('timeline policy', () => {
  it("DESIGN.md's rules when the fleet says nothing", () => {
    expect(timelinePolicy()).toEqual({ heartbeatIntervalMs: 15_000, graceMs: 5_000, stableAfterMs: 15_000, backoffBaseMs: 2_000, backoffCapMs: 64_000 });
  });

  it("a compressed fleet's own rules; nonsense falls back, a cap below the base is the base", () => {
    expect(timelinePolicy({ heartbeatIntervalMs: 1000, heartbeatGraceMs: 0, stableAfterMs: 1500, backoff: { baseMs: 300, capMs: 2000 } })).toEqual({
      heartbeatIntervalMs: 1000,
      graceMs: 0,
      stableAfterMs: 1500,
      backoffBaseMs: 300,
      backoffCapMs: 2000,
    });
    expect(timelinePolicy({ heartbeatIntervalMs: -1, heartbeatGraceMs: Number.NaN, backoff: { baseMs: 5000, capMs: 100 } })).toMatchObject({ heartbeatIntervalMs: 15_000, graceMs: 5_000, backoffBaseMs: 5000, backoffCapMs: 5000 });
  });

  it('a retry after 0.5 s is too soon for 2 s → 64 s, not for 300 ms → 2 s', () => {
    const events = [e.open(0, 'c1'), e.close(10, 'c1', 1006, 10), e.open(10.5, 'c2')];
    const judged = (rules: Parameters<typeof timelinePolicy>[0]) => read(buildTimeline({ events, from: at(0), to: at(60), now: at(60), ...timelineRulesOf(timelinePolicy(rules)) })).attempts;
    expect(judged({})).toEqual(['open c2 @10.5 #0 +0.5s !']);
    expect(judged({ backoff: { baseMs: 300, capMs: 2000 } })).toEqual(['open c2 @10.5 #0 +0.5s']);
  });
});
