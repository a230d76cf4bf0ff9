import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { emptyDirectory } from '../../core/alerts/alert-rule.ts';
import { createDirectory } from '../../core/directory/restaurant-directory.ts';
import { silentLogger } from '../log/logger.ts';
import { memoryAlertHistory } from './alert-history.ts';
import type { AlertsConfig } from './alerts-config.ts';
import { startAlerts } from './alerts-service.ts';

const config: AlertsConfig = {
  rules: [{ id: 'offline', name: 'Restaurant offline', metric: 'offline', severity: 'critical', fire: 0, clear: 0, forMs: 2_000, clearForMs: 0, scope: {} }],
  directory: emptyDirectory,
  silences: [],
  webhooks: [],
};
const sources = { gateways: () => [], unscopedAuthFailuresPerMin: () => 0, storeFailing: () => false };
const fig = (rid: string, status: 'offline' | 'healthy') => ({ rid, status, heartbeatSuccess: null, rttMs: null, reconnectsPerMin: 0, errors: {} });

describe('alerts service', () => {
  it('keeps history across a restart: an episode still firing is resumed, then resolves once', async () => {
    const clock = new FakeClock();
    const history = memoryAlertHistory();
    const logger = silentLogger();
    const first = await startAlerts({ config, history, clock, logger, hubId: 'h', hubUrl: () => 'http://hub', sources });
    for (let s = 0; s <= 3; s++) first.observe(clock.now() + s * 1000, [fig('r-002', 'offline')]);
    await first.close();
    expect(history.list({ limit: 10 })).toMatchObject([{ rule: 'offline', resolvedAt: null }]);

    // Same history, a new run: still offline for a while, then back.
    const reopened = { ...history, close() {} };
    const second = await startAlerts({ config, history: reopened, clock, logger, hubId: 'h', hubUrl: () => 'http://hub', sources });
    second.observe(clock.now() + 10_000, [fig('r-002', 'offline')]);
    expect(history.list({ limit: 10 })).toHaveLength(1);
    expect(second.answer(clock.now(), { restaurants: null }).firing).toBe(1);
    second.observe(clock.now() + 11_000, [fig('r-002', 'healthy')]);
    const list = history.list({ limit: 10 });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ endedBy: 'recovered', resolvedAt: clock.now() + 11_000 });
    await second.close();
  });

  it("holds a restaurant's alerts outside the hours the restaurant directory gives it", async () => {
    const clock = new FakeClock(Date.parse('2026-12-02T20:00:00Z'));
    const directory = createDirectory([{ rid: 'r-002', name: 'Gare', tags: [], closedDates: [], hours: { timezone: 'UTC', days: { wed: [['11:00', '15:00']] } } }]);
    const alerts = await startAlerts({ config, clock, logger: silentLogger(), hubId: 'h', hubUrl: () => 'http://hub', sources, directory: () => directory });
    for (let s = 0; s <= 5; s++) alerts.observe(clock.now() + s * 1000, [fig('r-002', 'offline'), fig('r-003', 'offline')]);
    const a = alerts.answer(clock.now() + 5000, { restaurants: null });
    expect(a.active.map((x) => [x.subject.kind === 'restaurant' ? x.subject.rid : '', x.phase]).sort()).toEqual([
      ['r-002', 'closed'],
      ['r-003', 'firing'],
    ]);
    await alerts.close();
  });
});
