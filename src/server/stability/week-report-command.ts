/**
 * `pulse report week [--week 2026-W48] [--tag …|--restaurants …] --out report.html`: the weekly
 * stability report (week-report.ts) from a hub's `/api/stability`, so a manager's token gives a
 * report of their restaurants only — the hub cuts it, not this command.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { decodeAnswer } from '../../protocol/api.ts';
import { stabilityAnswerSchema } from '../../protocol/stability.ts';
import { isoWeekRange, lastWholeWeek } from '../../core/stability/iso-week.ts';
import { renderWeekReport, reportScopeLabel } from './week-report.ts';

interface WeekOptions {
  hub: string;
  token?: string;
  data: string;
  week?: string;
  tag?: string;
  restaurants?: string[];
  out: string;
}

function weekOption(v: string): string {
  if (!isoWeekRange(v)) throw new InvalidArgumentError('expected an ISO week such as 2026-W48');
  return v;
}

export function registerWeekReport(report: Command, common: (c: Command) => Command, tokenOf: (opts: { token?: string; data: string }) => string): void {
  common(report.command('week').description('the weekly stability report: one self-contained printable HTML file (ranking, each restaurant against the week before, issues in words)'))
    .option('--week <iso-week>', 'the ISO week, Monday to Monday UTC (default: the last whole week)', weekOption)
    .option('--tag <tag>', 'only the restaurants carrying this tag (of the restaurants file)')
    .option('--restaurants <ids>', 'only these restaurants (comma-separated); figures of "all shown" stay the scope\'s', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .requiredOption('--out <file>', 'where to write the HTML')
    .addHelpText('after', '\nExamples:\n  pulse report week --out report.html\n  pulse report week --week 2026-W48 --tag region:north --out north.html --token "$PULSE_TOKEN"')
    .action(async (opts: WeekOptions) => {
      const week = opts.week ?? lastWholeWeek(Date.now());
      const range = isoWeekRange(week)!;
      const url = `${opts.hub.replace(/\/$/, '')}/api/stability?from=${range.from}&to=${range.to}${opts.tag ? `&tag=${encodeURIComponent(opts.tag)}` : ''}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${tokenOf(opts)}` } });
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok) throw new Error(`the hub refused the stability review: HTTP ${res.status} ${JSON.stringify(body)}`);
      const decoded = decodeAnswer(stabilityAnswerSchema, body);
      if (!decoded.ok) throw new Error(`the hub's answer does not match the API contract (${decoded.detail})`);
      const answer = decoded.value;
      const wanted = opts.restaurants;
      const shown = wanted ? { ...answer, restaurants: answer.restaurants.filter((r) => wanted.includes(r.rid)) } : answer;
      writeFileSync(opts.out, renderWeekReport(shown, { week, scopeLabel: reportScopeLabel(opts.tag, wanted), generatedAt: Date.now() }));
      process.stdout.write(`${opts.out}: week ${week}, ${shown.restaurants.length} restaurants\n`);
    });
}
