/**
 * The weekly stability report as one self-contained, printable HTML file: the ranking, each
 * restaurant's week against the week before with its daily bars (inline SVG), and the issues found
 * in words. No script, no network, no external style: it opens offline and prints as is. Every
 * name and tag is escaped: they are data from the restaurants file, never markup.
 */
import type { RestaurantStabilityWire, StabilityAnswer } from '../../protocol/stability.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (v: number | null) => (v === null ? '—' : `${(Math.floor(v * 1000) / 10).toFixed(1)} %`);
const pts = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)} pt`);
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The issues of one restaurant's week, in words, worst first; empty when there is nothing to say. */
export function issuesOf(r: RestaurantStabilityWire): string[] {
  const out: string[] = [];
  const c = r.current;
  if (c.stability === null) return ['No terminal time was expected this week: no data.'];
  if (r.change.stability !== null && r.change.stability <= -0.01) out.push(`Stability fell from ${pct(r.previous.stability)} to ${pct(c.stability)} (${pts(r.change.stability)}).`);
  if (c.stability < 0.95) out.push(`Terminals were healthy ${pct(c.stability)} of the ${r.withHours ? 'opening hours' : 'time'}.`);
  const worstDay = r.daily.reduce<{ i: number; v: number } | null>((w, v, i) => (v !== null && (w === null || v < w.v) ? { i, v } : w), null);
  if (worstDay && worstDay.v < 0.9) out.push(`Worst day: day ${worstDay.i + 1} of the week at ${pct(worstDay.v)}.`);
  if (c.reconnectsPerOpenHour !== null && c.reconnectsPerOpenHour >= 1) out.push(`${c.reconnectsPerOpenHour.toFixed(1)} reconnects per open hour.`);
  if (c.heartbeatSuccess !== null && c.heartbeatSuccess < 0.95) out.push(`Heartbeat success ${pct(c.heartbeatSuccess)}.`);
  const codes = Object.entries(c.disconnects).sort((a, b) => b[1] - a[1]);
  if (codes.length > 0) out.push(`Disconnects: ${codes.slice(0, 3).map(([code, n]) => `${n} × ${code}`).join(', ')}.`);
  return out;
}

function bars(daily: readonly (number | null)[]): string {
  const w = 16;
  const h = 40;
  const rects = daily
    .map((v, i) => (v === null ? `<rect x="${i * (w + 4)}" y="${h - 2}" width="${w}" height="2" fill="#9ca3af"/>` : `<rect x="${i * (w + 4)}" y="${(h * (1 - v)).toFixed(1)}" width="${w}" height="${(h * v).toFixed(1)}" fill="${v < 0.9 ? '#b91c1c' : v < 0.98 ? '#b45309' : '#15803d'}"><title>${pct(v)}</title></rect>`))
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${daily.length * (w + 4)}" height="${h}" role="img" aria-label="daily stability">${rects}</svg>`;
}

/** What the report covers, in words: the tag or the whole scope, and the restaurants picked out of it. */
export function reportScopeLabel(tag: string | undefined, restaurants: readonly string[] | undefined): string {
  return [tag ? `tag ${tag}` : 'every restaurant in scope', restaurants ? `restaurants ${restaurants.join(', ')}` : ''].filter(Boolean).join(' · ');
}

export function renderWeekReport(answer: StabilityAnswer, o: { week: string; scopeLabel: string; generatedAt: number }): string {
  const rows = answer.restaurants
    .map((r, i) => `<tr><td>${i + 1}</td><td>${esc(r.name)}${r.name !== r.rid ? ` <small>${esc(r.rid)}</small>` : ''}</td><td class="n">${pct(r.current.stability)}</td><td class="n">${pct(r.previous.stability)}</td><td class="n">${pts(r.change.stability)}</td><td class="n">${r.current.reconnectsPerOpenHour === null ? '—' : r.current.reconnectsPerOpenHour.toFixed(2)}</td><td class="n">${pct(r.current.heartbeatSuccess)}</td></tr>`)
    .join('\n');
  const sections = answer.restaurants
    .map((r) => {
      const issues = issuesOf(r);
      return `<section><h3>${esc(r.name)} <small>${esc(r.rid)}${r.tags.length ? ` · ${r.tags.map(esc).join(' · ')}` : ''}</small></h3>
<p>${pct(r.current.stability)} this week, ${pct(r.previous.stability)} the week before (${pts(r.change.stability)}); ${r.withHours ? 'counted within opening hours' : 'counted all day (no opening hours)'}.</p>
${bars(r.daily)}
${issues.length ? `<ul>${issues.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : '<p>No issue found.</p>'}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pulse stability — ${esc(o.week)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px/1.4 system-ui,sans-serif;color:#111;margin:2rem;max-width:60rem}
table{border-collapse:collapse;width:100%}th,td{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}small{color:#666}section{break-inside:avoid;margin:1.5rem 0}
@media print{body{margin:0}}
</style></head><body>
<h1>Stability — week ${esc(o.week)}</h1>
<p>${esc(o.scopeLabel)} · ${day(answer.current.from)} to ${day(answer.current.to - 1)} (UTC) against ${day(answer.previous.from)} to ${day(answer.previous.to - 1)} · all shown: ${pct(answer.scope.current.stability)} (previous ${pct(answer.scope.previous.stability)}, ${pts(answer.scope.change.stability)}) · generated ${new Date(o.generatedAt).toISOString()}</p>
<h2>Ranking, worst first</h2>
<table><thead><tr><th>#</th><th>Restaurant</th><th>Stability</th><th>Previous</th><th>Change</th><th>Reconnects / open h</th><th>Heartbeats</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Each restaurant</h2>
${sections}
</body></html>
`;
}
