import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import { parseAlertsConfig, type AlertsConfig } from './alerts-config.ts';
import { watchAlertsFile, type AlertsFileWatch } from './alerts-file-watch.ts';

const good = {
  rules: [
    { id: 'offline', name: 'Restaurant offline', metric: 'offline', severity: 'critical', for: '2m' },
    { id: 'rtt', metric: 'rtt_p95_ms', fire: 500, clear: 300, for: '90s', clearFor: 30000, scope: { tags: ['paris'] } },
  ],
  restaurants: { 'r-002': { tags: ['paris'], hours: { timezone: 'Europe/Paris', days: { mon: [['11:00', '23:00']] } } } },
  silences: [{ restaurant: 'r-003', until: '2026-12-24T18:00:00+01:00', by: 'ana', why: 'refit' }],
  webhooks: [{ id: 'ops', url: 'https://hooks.example/pulse', secretEnv: 'PULSE_HOOK_SECRET', scope: { restaurants: ['r-002'] } }],
};

describe('alerts file', () => {
  it('reads rules, directory, silences and webhooks into the core model', () => {
    const r = parseAlertsConfig(JSON.stringify(good), { PULSE_HOOK_SECRET: 'x'.repeat(32) });
    expect(r.ok).toBe(true);
    const c = (r as { config: AlertsConfig }).config;
    expect(c.rules).toEqual([
      { id: 'offline', name: 'Restaurant offline', metric: 'offline', severity: 'critical', fire: 0, clear: 0, forMs: 120_000, clearForMs: 0, scope: {} },
      { id: 'rtt', name: 'rtt', metric: 'rtt_p95_ms', severity: 'warning', fire: 500, clear: 300, forMs: 90_000, clearForMs: 30_000, scope: { tags: ['paris'] } },
    ]);
    expect(c.directory.tagsOf('r-002')).toEqual(['paris']);
    // Monday 2026-11-30, Paris: open 11:00–23:00; r-001 has no hours, always open.
    expect(c.directory.isOpen('r-002', Date.parse('2026-11-30T12:00:00+01:00'))).toBe(true);
    expect(c.directory.isOpen('r-002', Date.parse('2026-11-30T23:30:00+01:00'))).toBe(false);
    expect(c.directory.isOpen('r-002', Date.parse('2026-12-01T12:00:00+01:00'))).toBe(false);
    expect(c.directory.isOpen('r-001', Date.parse('2026-12-01T03:00:00+01:00'))).toBe(true);
    expect(c.silences).toEqual([{ rid: 'r-003', until: Date.parse('2026-12-24T17:00:00Z'), by: 'ana', why: 'refit' }]);
    expect(c.webhooks[0]).toMatchObject({ id: 'ops', secret: 'x'.repeat(32), minSeverity: 'info' });
  });

  it('reports every bad entry with its path', () => {
    const bad = {
      rules: [
        { id: 'rtt', metric: 'rtt_p95_ms', fire: 500, clear: 600 },
        { id: 'hb', metric: 'heartbeat_success', fire: 0.9 },
        { id: 'auth', metric: 'auth_failures_per_min', fire: 5, clear: 1, scope: { restaurants: ['r-001'] } },
        { id: 'rtt', metric: 'offline', for: 'soon' },
        { id: 'x', metric: 'cpu' },
      ],
      restaurants: { 'r-001': { hours: { timezone: 'Mars/Olympus', days: { mon: [['9:00', '25:00']] } } } },
      silences: [{ until: 'tomorrow', by: 'ana', why: 'x' }],
    };
    const r = parseAlertsConfig(JSON.stringify(bad), {});
    expect(r.ok).toBe(false);
    const problems = (r as { problems: { path: string; message: string }[] }).problems;
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['rules[0].clear', 'rules[1].clear', 'rules[2].scope', 'rules[3].for', 'rules[4].metric', 'restaurants.r-001.hours.timezone', 'restaurants.r-001.hours.days.mon[0][0]', 'restaurants.r-001.hours.days.mon[0][1]', 'silences[0].until']),
    );
    expect(problems.find((p) => p.path === 'rules[0].clear')?.message).toMatch(/must be ≤ 500/);
    expect(problems.find((p) => p.path === 'rules[1].clear')?.message).toMatch(/hysteresis/);
  });

  it('says where a JSON syntax error is, and that a webhook secret variable is missing (never its value)', () => {
    const r = parseAlertsConfig('{\n  "rules": [\n    { "id": "a", }\n  ]\n}');
    expect(r).toMatchObject({ ok: false, problems: [{ path: expect.stringMatching(/^line 3, column/) }] });
    const noSecret = parseAlertsConfig(JSON.stringify(good), {});
    expect(noSecret).toMatchObject({ ok: false, problems: [{ path: 'webhooks[0].secretEnv', message: expect.stringContaining('PULSE_HOOK_SECRET') }] });
  });

  it('the shipped default file is valid', () => {
    const text = readFileSync(new URL('../../../config/alerts.default.json', import.meta.url), 'utf8');
    const r = parseAlertsConfig(text, {});
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.rules.map((x) => x.metric)).toContain('offline');
  });
});

describe('watchAlertsFile', () => {
  let watch: AlertsFileWatch | undefined;
  afterEach(() => watch?.close());

  it('reloads on change (an editor rename included) and keeps the last good rules on a bad edit, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-alerts-'));
    const file = join(dir, 'alerts.json');
    writeFileSync(file, JSON.stringify({ rules: [{ id: 'a', metric: 'offline' }] }));
    const loaded: string[][] = [];
    const warnings: string[] = [];
    const logger = { ...silentLogger(), warn: (_o: object, msg: string) => void warnings.push(msg), info: () => {} };
    watch = watchAlertsFile({ path: file, debounceMs: 50, logger: logger as never, onConfig: (c) => loaded.push(c.rules.map((r) => r.id)) });
    expect(await watch.reload()).toBe(true);
    expect(loaded).toEqual([['a']]);

    writeFileSync(file, JSON.stringify({ rules: [{ id: 'a', metric: 'offline' }, { id: 'b', metric: 'store_failing' }] }));
    await waitFor('reload after a write', () => loaded.length === 2);
    expect(loaded[1]).toEqual(['a', 'b']);

    writeFileSync(file, JSON.stringify({ rules: [{ id: 'c', metric: 'rtt_p95_ms', fire: 1 }] }));
    await waitFor('a refusal logged', () => warnings.length === 1);
    expect(warnings[0]).toContain('rules[0].clear');
    expect(warnings[0]).toContain('previous rules stay in force');
    expect(loaded).toHaveLength(2);

    // Save as editors do: write a temporary file, rename it over the old one.
    writeFileSync(join(dir, 'alerts.json.tmp'), JSON.stringify({ rules: [{ id: 'd', metric: 'gateway_lost' }] }));
    renameSync(join(dir, 'alerts.json.tmp'), file);
    await waitFor('reload after a rename', () => loaded.length === 3);
    expect(loaded[2]).toEqual(['d']);
  });
});
