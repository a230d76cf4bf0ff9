import { describe, expect, it } from 'vitest';
import { stabilityAnswerSchema, type StabilityAnswer } from '../../../../protocol/stability.ts';
import { csvCell, csvOf, rowsOf, searchRows, sortRows, sparklinePath, trendOf } from './stability-table.ts';

const figures = (stability: number | null, extra: Partial<StabilityAnswer['scope']['current']> = {}) => ({
  stability,
  terminalTime: { connectedMs: 0, healthyMs: 0, expectedMs: 0 },
  openMs: 3_600_000,
  minutes: 60,
  reconnects: 0,
  reconnectsPerOpenHour: null,
  heartbeatSuccess: null,
  durationMs: null,
  rttMs: null,
  deliveryMs: null,
  disconnects: {},
  ...extra,
});

function restaurant(rid: string, name: string, now: number | null, before: number | null, extra = {}) {
  return {
    rid, name, tags: ['region:north'], withHours: true,
    current: figures(now, extra), previous: figures(before),
    change: { stability: now === null || before === null ? null : now - before, reconnectsPerOpenHour: null, heartbeatSuccess: null },
    daily: [now, null, now],
  };
}

const answer: StabilityAnswer = stabilityAnswerSchema.parse({
  t: 0, period: '7d', current: { from: 0, to: 1 }, previous: { from: -1, to: 0 }, tag: null, tags: ['region:north'],
  restaurants: [
    restaurant('r-1', 'Lille, "centre"', 0.5, 1, { reconnectsPerOpenHour: 3, disconnects: { '1006': 4, '4008': 1 } }),
    restaurant('r-2', '=HYPERLINK("x")', 0.9, 0.8),
    restaurant('r-3', 'Quiet', null, null),
  ],
  scope: { current: figures(0.7), previous: figures(0.9), change: { stability: -0.2, reconnectsPerOpenHour: null, heartbeatSuccess: null } },
});

describe('stability table', () => {
  it('keeps the hub ranking, with trends against the previous period', () => {
    const rows = rowsOf(answer);
    expect(rows.map((r) => [r.rank, r.rid, r.trend, r.disconnects])).toEqual([[1, 'r-1', 'worse', 5], [2, 'r-2', 'better', 0], [3, 'r-3', 'unknown', 0]]);
    expect(trendOf(0.004)).toBe('same');
    expect(trendOf(-0.005)).toBe('worse');
  });

  it('sorts by any column, a missing figure last in both directions', () => {
    const rows = rowsOf(answer);
    expect(sortRows(rows, 'stability', 'desc').map((r) => r.rid)).toEqual(['r-2', 'r-1', 'r-3']);
    expect(sortRows(rows, 'stability', 'asc').map((r) => r.rid)).toEqual(['r-1', 'r-2', 'r-3']);
    expect(sortRows(rows, 'name', 'asc').map((r) => r.rid)).toEqual(['r-2', 'r-1', 'r-3']);
    expect(sortRows(rows, 'reconnectsPerOpenHour', 'asc').map((r) => r.rid)).toEqual(['r-1', 'r-2', 'r-3']);
    expect(sortRows(rows, 'rank', 'desc').map((r) => r.rid)).toEqual(['r-3', 'r-2', 'r-1']);
  });

  it('exports the API figures unrounded to CSV, quoting and defusing formulas', () => {
    const csv = csvOf(rowsOf(answer)).split('\r\n');
    expect(csv[0]).toBe('rank,rid,name,tags,within_opening_hours,stability,previous_stability,change,reconnects_per_open_hour,heartbeat_success,duration_mean_ms,duration_p95_ms,rtt_p95_ms,delivery_p95_ms,disconnects');
    expect(csv[1]).toBe('1,r-1,"Lille, ""centre""",region:north,yes,0.5,1,-0.5,3,,,,,,5');
    expect(csv[2]!.split(',')[2]).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csv[3]).toBe('3,r-3,Quiet,region:north,yes,,,,,,,,,,0');
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell('-1')).toBe("'-1");
  });

  it('searches by id, display name or tag, keeping the hub ranks; the CSV of a search has its rows with name and tags', () => {
    const rows = rowsOf(answer);
    expect(searchRows(rows, 'lille').map((r) => [r.rank, r.rid])).toEqual([[1, 'r-1']]);
    expect(searchRows(rows, ' R-3 ').map((r) => r.rid)).toEqual(['r-3']);
    expect(searchRows(rows, 'REGION:north').map((r) => r.rid)).toEqual(['r-1', 'r-2', 'r-3']);
    expect(searchRows(rows, 'nowhere')).toEqual([]);
    expect(searchRows(rows, '')).toHaveLength(3);
    const csv = csvOf(searchRows(rows, 'quiet')).split('\r\n');
    expect(csv.slice(1, -1)).toEqual(['3,r-3,Quiet,region:north,yes,,,,,,,,,,0']);
  });

  it('draws the daily sparkline with gaps for days without a figure', () => {
    expect(sparklinePath([1, 0.5, null, 0], 100, 20)).toBe('M0.0 0.0L33.3 10.0M100.0 20.0');
    expect(sparklinePath([], 100, 20)).toBe('');
  });
});
