/**
 * `GET /api/stability/report?week=2026-W48[&tag=…]` (docs/api.md, docs/stability.md): the weekly
 * report as a download from the dashboard — the same HTML as `pulse report week`, from the same
 * review (answerStability over the ISO week), cut to the caller's scope by the same code. The
 * answer is a file, not JSON: the route returns a ReportFile and the API sends it as is.
 */
import type { ServerResponse } from 'node:http';
import { PulseError } from '../../protocol/errors.ts';
import { baseHeaders } from '../hub/http/respond.ts';
import { isoWeekRange, lastWholeWeek } from '../../core/stability/iso-week.ts';
import { answerStability, type StabilityCall, type StabilityDeps } from './stability-api.ts';
import { renderWeekReport, reportScopeLabel } from './week-report.ts';

export class ReportFile {
  constructor(
    readonly name: string,
    readonly html: string,
  ) {}

  send(res: ServerResponse): void {
    res.writeHead(200, {
      ...baseHeaders,
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(this.html),
      'content-disposition': `attachment; filename="${this.name}"`,
      // The report is the viewer's scope: never from a cache; and it runs nothing even if opened in place.
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    });
    res.end(this.html);
  }
}

export async function answerWeekReport(deps: StabilityDeps, call: StabilityCall): Promise<{ file: ReportFile; invalidHistograms: number }> {
  const week = call.query.get('week') ?? lastWholeWeek(call.now);
  const range = isoWeekRange(week);
  if (!range) throw new PulseError('BAD_REQUEST', 'week must be an ISO week such as 2026-W48');
  const tag = call.query.get('tag');
  const query = new URLSearchParams({ from: String(range.from), to: String(range.to), ...(tag !== null ? { tag } : {}) });
  const { answer, invalidHistograms } = await answerStability(deps, { ...call, query });
  const html = renderWeekReport(answer, { week, scopeLabel: reportScopeLabel(tag ?? undefined, undefined), generatedAt: call.now });
  const suffix = tag ? `-${tag.replace(/[^A-Za-z0-9._-]/g, '_')}` : '';
  return { file: new ReportFile(`stability-${week}${suffix}.html`, html), invalidHistograms };
}
