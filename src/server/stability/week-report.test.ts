/**
 * The weekly report: ISO weeks, and `pulse report week` against a real seeded hub — one file with
 * no script and no external reference, the hub's figures, a manager's restaurants only, names
 * escaped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { stabilityAnswerSchema } from '../../protocol/stability.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { isoWeekOf, isoWeekRange, lastWholeWeek } from '../../core/stability/iso-week.ts';
import { secret, seededHub } from './test-helpers/seeded-hub.ts';
import { registerWeekReport } from './week-report-command.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ISO weeks', () => {
  it('reads and names weeks, 53-week years and the turn of the year included', () => {
    expect(isoWeekRange('2026-W01')).toEqual({ from: Date.UTC(2025, 11, 29), to: Date.UTC(2026, 0, 5) });
    expect(isoWeekRange('2026-W48')!.from).toBe(Date.UTC(2026, 10, 23));
    expect(isoWeekRange('2026-W53')!.from).toBe(Date.UTC(2026, 11, 28));
    expect(isoWeekRange('2025-W53')).toBeNull();
    expect(isoWeekRange('2026-W00')).toBeNull();
    expect(isoWeekRange('2026-48')).toBeNull();
    expect(isoWeekOf(Date.UTC(2027, 0, 1))).toBe('2026-W53');
    expect(isoWeekOf(Date.UTC(2026, 11, 3, 13))).toBe('2026-W49');
    expect(lastWholeWeek(Date.UTC(2026, 11, 3))).toBe('2026-W48');
  });
});

describe('pulse report week', () => {
  it('writes one offline HTML file of the manager\'s restaurants with the hub\'s figures', async () => {
    const hub = await seededHub(cleanups);
    const tmp = makeTempDir('pulse-week-report-');
    cleanups.push(tmp.remove);
    const out = join(tmp.dir, 'report.html');
    const token = signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001', 'r-002'] });
    const program = new Command().exitOverride();
    const report = program.command('report');
    const common = (c: Command) => c.option('--hub <url>').option('--token <jwt>').option('--data <dir>', '', tmp.dir);
    registerWeekReport(report, common, (o) => o.token ?? '');
    const week = lastWholeWeek(Date.now());
    await program.parseAsync(['report', 'week', '--hub', hub.url, '--token', token, '--week', week, '--out', out], { from: 'user' });

    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
    expect(html).not.toMatch(/r-003|Secret/);
    // Names are data: the <b> of the restaurants file is shown, not applied.
    expect(html).toContain('Lille &lt;b&gt;centre&lt;/b&gt;');
    expect(html).toContain(`week ${week}`);

    const range = isoWeekRange(week)!;
    const res = await fetch(`${hub.url}/api/stability?from=${range.from}&to=${range.to}`, { headers: { authorization: `Bearer ${token}` } });
    const api = stabilityAnswerSchema.parse(await res.json());
    const shown = [...html.matchAll(/<tr><td>(\d+)<\/td><td>.*?<small>(r-\d+)<\/small><\/td><td class="n">([\d.]+ %|—)<\/td>/g)].map((m) => [m[2], m[3]]);
    expect(shown).toEqual(api.restaurants.map((r) => [r.rid, `${(Math.floor(r.current.stability! * 1000) / 10).toFixed(1)} %`]));
    expect(shown).toHaveLength(2);
    expect(html.match(/<svg /g)).toHaveLength(2);
  });
});
