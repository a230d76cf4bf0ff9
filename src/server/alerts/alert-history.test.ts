import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertEpisode } from '../../protocol/alerts.ts';
import { memoryAlertHistory, type AlertHistory } from './alert-history.ts';
import { sqliteAlertHistory } from './alert-history-sqlite.ts';

const ep = (id: string, subject: AlertEpisode['subject'], firedAt: number): AlertEpisode => ({
  id, rule: 'r', name: 'R', severity: 'warning', metric: 'offline', subject, fire: 0, clear: 0, forMs: 0,
  valueAtFire: 1, worst: 1, value: 1, firedAt, resolvedAt: null, endedBy: null,
});

const impls: [string, () => AlertHistory][] = [
  ['memory', () => memoryAlertHistory()],
  ['sqlite', () => sqliteAlertHistory(join(mkdtempSync(join(tmpdir(), 'pulse-ah-')), 'alerts.sqlite'))],
];

describe.each(impls)('alert history (%s)', (_name, make) => {
  it('keeps episodes, replaces one on resolve, lists newest first and cuts to a scope', () => {
    const h = make();
    h.record(ep('a', { kind: 'restaurant', rid: 'r-001' }, 1000));
    h.record(ep('b', { kind: 'restaurant', rid: 'r-002' }, 2000));
    h.record(ep('c', { kind: 'gateway', gw: 'gw-1' }, 3000));
    h.record({ ...ep('a', { kind: 'restaurant', rid: 'r-001' }, 1000), resolvedAt: 5000, endedBy: 'recovered', value: 0 });
    expect(h.list({ limit: 10 }).map((e) => e.id)).toEqual(['c', 'b', 'a']);
    expect(h.list({ limit: 10 }).find((e) => e.id === 'a')).toMatchObject({ resolvedAt: 5000, endedBy: 'recovered' });
    expect(h.list({ limit: 10, rids: ['r-001'] }).map((e) => e.id)).toEqual(['a']);
    expect(h.list({ limit: 10, rids: [] })).toEqual([]);
    expect(h.list({ limit: 10, since: 2000 }).map((e) => e.id)).toEqual(['c', 'b']);
    expect(h.list({ limit: 1 }).map((e) => e.id)).toEqual(['c']);
    h.close();
  });
});
