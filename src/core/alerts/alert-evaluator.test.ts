import { describe, expect, it } from 'vitest';
import { AlertEvaluator, type Observation } from './alert-evaluator.ts';
import type { AlertRule, RestaurantDirectory, Silence } from './alert-rule.ts';
import { isOpenAt, type WeeklyHours } from './opening-hours.ts';

const offline: AlertRule = { id: 'offline', name: 'Restaurant offline', metric: 'offline', severity: 'critical', fire: 0, clear: 0, forMs: 10_000, clearForMs: 0, scope: {} };
const paris: AlertRule = { ...offline, id: 'offline-paris', scope: { tags: ['paris'] } };
const gateway: AlertRule = { id: 'gw', name: 'Gateway lost', metric: 'gateway_lost', severity: 'critical', fire: 0, clear: 0, forMs: 0, clearForMs: 0, scope: {} };

const lunch: WeeklyHours = { timezone: 'UTC', days: Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['11:00', '15:00']]])) };
const dir = (hours?: Record<string, WeeklyHours>): RestaurantDirectory => ({
  tagsOf: (rid) => (rid === 'r-002' ? ['paris'] : []),
  isOpen: (rid, t) => isOpenAt(hours?.[rid], t),
});
const T0 = Date.parse('2026-12-02T12:00:00Z');
const down = (rids: string[]): Observation[] => ['r-001', 'r-002', 'r-003'].map((rid) => ({ metric: 'offline', subject: { kind: 'restaurant', rid }, value: rids.includes(rid) ? 1 : 0 }));

/** Ticks once a second for `seconds` from `start`, returning `type rule subject @s` of every transition. */
function drive(ev: AlertEvaluator, seconds: number, obs: (s: number) => Observation[], ctx: { directory?: RestaurantDirectory; silences?: Silence[] } = {}, start = 0): string[] {
  const out: string[] = [];
  for (let s = start; s < start + seconds; s++) {
    for (const tr of ev.evaluate(T0 + s * 1000, obs(s), { directory: ctx.directory ?? dir(), silences: ctx.silences ?? [] })) {
      const subj = tr.episode.subject.kind === 'restaurant' ? tr.episode.subject.rid : tr.episode.subject.kind === 'gateway' ? tr.episode.subject.gw : 'fleet';
      out.push(`${tr.type} ${tr.episode.rule} ${subj} @${s}${tr.episode.endedBy ? ` ${tr.episode.endedBy}` : ''}`);
    }
  }
  return out;
}

describe('AlertEvaluator', () => {
  it('fires per restaurant in scope, once, with a stable episode id, and resolves on recovery', () => {
    const ev = new AlertEvaluator([offline, paris]);
    const log = drive(ev, 30, (s) => down(s < 20 ? ['r-002'] : []));
    expect(log).toEqual(['firing offline r-002 @10', 'firing offline-paris r-002 @10', 'resolved offline r-002 @20 recovered', 'resolved offline-paris r-002 @20 recovered']);
  });

  it('a tag scope covers only the restaurants carrying the tag', () => {
    const ev = new AlertEvaluator([paris]);
    expect(drive(ev, 15, () => down(['r-001', 'r-003']))).toEqual([]);
  });

  it('silences by restaurant, by tag and by rule, each only between from and until', () => {
    const silences: Silence[] = [
      { rid: 'r-001', until: T0 + 3_600_000, by: 'ana', why: 'maintenance' },
      { tag: 'paris', until: T0 + 3_600_000, by: 'ana', why: 'network works' },
      { rule: 'offline', rid: 'r-003', from: T0 + 20_000, until: T0 + 40_000, by: 'bo', why: 'known' },
    ];
    const ev = new AlertEvaluator([offline]);
    const log = drive(ev, 60, () => down(['r-001', 'r-002', 'r-003']), { silences });
    // r-003: fires at 10, silenced at 20 (resolved as silenced), back from 40, fires again at 50.
    expect(log).toEqual(['firing offline r-003 @10', 'resolved offline r-003 @20 silenced', 'firing offline r-003 @50']);
    expect(ev.statuses().filter((s) => s.phase === 'silenced').map((s) => s.subject)).toEqual([
      { kind: 'restaurant', rid: 'r-001' },
      { kind: 'restaurant', rid: 'r-002' },
    ]);
  });

  it('outside opening hours an outage is held as closed, and fires after opening only after `for`', () => {
    const ev = new AlertEvaluator([offline]);
    const start = -3 * 3600 + 10; // 09:00:10 UTC, closed until 11:00
    const log = drive(ev, 2 * 3600 + 20, () => down(['r-002']), { directory: dir({ 'r-002': lunch }) }, start);
    // Opens at 11:00 = s -3600; r-001 and r-003 have no hours: always open, but not down.
    expect(log).toEqual(['firing offline r-002 @-3590']);
    const before = new AlertEvaluator([offline]);
    drive(before, 30, () => down(['r-002']), { directory: dir({ 'r-002': lunch }) }, start);
    expect(before.statuses()).toMatchObject([{ rule: 'offline', phase: 'closed', subject: { rid: 'r-002' } }]);
  });

  it("a rule's own hours hold it for every subject outside them", () => {
    const ev = new AlertEvaluator([{ ...gateway, hours: lunch }]);
    const lost: Observation[] = [{ metric: 'gateway_lost', subject: { kind: 'gateway', gw: 'gw-1' }, value: 1 }];
    expect(drive(ev, 5, () => lost, {}, 4 * 3600)).toEqual([]); // 16:00 UTC: after lunch
    expect(ev.statuses()).toMatchObject([{ phase: 'closed' }]);
  });

  it('a gateway alert fires per gateway, and a removed rule resolves what it had firing', () => {
    const ev = new AlertEvaluator([gateway, offline]);
    const gw = (alive: boolean): Observation[] => [{ metric: 'gateway_lost', subject: { kind: 'gateway', gw: 'gw-1' }, value: alive ? 0 : 1 }];
    expect(drive(ev, 3, (s) => gw(s < 1))).toEqual(['firing gw gw-1 @1']);
    expect(ev.firingByRule()).toEqual([
      { rule: 'gw', severity: 'critical', firing: 1 },
      { rule: 'offline', severity: 'critical', firing: 0 },
    ]);
    const removed = ev.setRules([offline], T0 + 5_000);
    expect(removed.map((t) => [t.type, t.episode.rule, t.episode.endedBy])).toEqual([['resolved', 'gw', 'rule_removed']]);
    expect(ev.firingByRule()).toEqual([{ rule: 'offline', severity: 'critical', firing: 0 }]);
  });

  it('a subject that disappears while firing resolves (no data), and is forgotten', () => {
    const ev = new AlertEvaluator([offline]);
    const log = drive(ev, 15, (s) => (s < 12 ? down(['r-001']) : []));
    expect(log).toEqual(['firing offline r-001 @10', 'resolved offline r-001 @12 recovered']);
    expect(ev.statuses()).toEqual([]);
  });

  it('episodes carry the values: at fire, worst, last', () => {
    const rtt: AlertRule = { id: 'rtt', name: 'RTT', metric: 'rtt_p95_ms', severity: 'warning', fire: 200, clear: 150, forMs: 2_000, clearForMs: 0, scope: {} };
    const ev = new AlertEvaluator([rtt]);
    const values = [250, 260, 240, 400, 300, 100];
    const got: unknown[] = [];
    values.forEach((v, s) => {
      for (const tr of ev.evaluate(T0 + s * 1000, [{ metric: 'rtt_p95_ms', subject: { kind: 'restaurant', rid: 'r-001' }, value: v }], { directory: dir(), silences: [] })) got.push(tr);
    });
    expect(got).toMatchObject([
      { type: 'firing', episode: { valueAtFire: 240, worst: 240, value: 240, firedAt: T0 + 2000, resolvedAt: null, id: `rtt/r:r-001/${T0 + 2000}` } },
      { type: 'resolved', episode: { valueAtFire: 240, worst: 400, value: 100, resolvedAt: T0 + 5000, endedBy: 'recovered', id: `rtt/r:r-001/${T0 + 2000}` } },
    ]);
  });

  it('resumes episodes still open after a restart: one still bad stays the same episode, one gone resolves, one of a removed rule ends', () => {
    const ep = (rid: string, rule = 'offline') => ({ id: `${rule}/r:${rid}/${T0}`, rule, name: 'x', severity: 'critical' as const, metric: 'offline' as const, subject: { kind: 'restaurant' as const, rid }, fire: 0, clear: 0, forMs: 10_000, valueAtFire: 1, worst: 1, value: 1, firedAt: T0, resolvedAt: null, endedBy: null });
    const next = new AlertEvaluator([offline]);
    const ended = next.resume([ep('r-001'), ep('r-002'), ep('r-003', 'gone')], T0 + 60_000);
    expect(ended.map((t) => [t.type, t.episode.rule, t.episode.endedBy])).toEqual([['resolved', 'gone', 'rule_removed']]);
    // After the restart r-001 is still down, r-002 came back.
    const log = drive(next, 3, () => down(['r-001']), {}, 61);
    expect(log).toEqual(['resolved offline r-002 @61 recovered']);
    expect(next.statuses().find((s) => s.phase === 'firing')).toMatchObject({ subject: { rid: 'r-001' }, episode: `offline/r:r-001/${T0}`, since: T0 });
  });
});
