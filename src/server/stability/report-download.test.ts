/**
 * `/api/stability/report` on a real seeded hub: the weekly report as a download — the same HTML
 * `pulse report week` writes from the same review (byte for byte but the generation time), a
 * manager's restaurants only, cut by tag, a bad week refused with 400 BAD_REQUEST.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lastWholeWeek, isoWeekRange } from '../../core/stability/iso-week.ts';
import { apiErrorBodySchema } from '../../protocol/api.ts';
import { stabilityAnswerSchema } from '../../protocol/stability.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { secret, seededHub } from './test-helpers/seeded-hub.ts';
import { renderWeekReport, reportScopeLabel } from './week-report.ts';

const manager = signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001', 'r-002'] });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const auth = { headers: { authorization: `Bearer ${manager}` } };
const withoutGenerated = (html: string) => html.replace(/generated \d{4}-\d\d-\d\dT[\d:.]+Z/, 'generated …');

describe('/api/stability/report', () => {
  it('downloads the same report as pulse report week, cut to the manager', async () => {
    const hub = await seededHub(cleanups);
    const week = lastWholeWeek(Date.now());
    const res = await fetch(`${hub.url}/api/stability/report?week=${week}`, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="stability-${week}.html"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).not.toMatch(/r-003|Secret|<script/);
    expect(html).toContain('Lille &lt;b&gt;centre&lt;/b&gt;');

    const range = isoWeekRange(week)!;
    const api = stabilityAnswerSchema.parse(await (await fetch(`${hub.url}/api/stability?from=${range.from}&to=${range.to}`, auth)).json());
    const cli = renderWeekReport(api, { week, scopeLabel: reportScopeLabel(undefined, undefined), generatedAt: 0 });
    expect(withoutGenerated(html)).toBe(withoutGenerated(cli));

    const north = await fetch(`${hub.url}/api/stability/report?week=${week}&tag=region%3Anorth`, auth);
    expect(north.headers.get('content-disposition')).toBe(`attachment; filename="stability-${week}-region_north.html"`);
    const northHtml = await north.text();
    expect(northHtml).toContain('tag region:north');
    expect(northHtml).not.toContain('Leeds');

    const bad = await fetch(`${hub.url}/api/stability/report?week=2026-W60`, auth);
    expect([bad.status, apiErrorBodySchema.parse(await bad.json()).error.code]).toEqual([400, 'BAD_REQUEST']);
    expect((await fetch(`${hub.url}/api/stability/report`)).status).toBe(401);
  });
});
