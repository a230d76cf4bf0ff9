/**
 * `pulse report terminal TID [--restaurant RID] | restaurant RID` — the diagnostic report from a
 * hub's API, in the dashboard's words, to paste into a support ticket (src/server/audit/hub-report.ts).
 * A terminal is (rid, tid): tills are named per restaurant (issue 18, item 3), so a bare id works
 * only while one restaurant has it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { defaultDataDir } from '../auth/secret.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { fetchRestaurant, fetchTerminalEvents, lookbackMs, renderRestaurantReport, renderTerminalReport } from '../audit/hub-report.ts';
import { registerWeekReport } from '../stability/week-report-command.ts';

interface ReportOptions {
  hub: string;
  token?: string;
  data: string;
  from?: number;
  to?: number;
  restaurant?: string;
}

/** An ISO time ("2026-12-03T12:00Z"), epoch milliseconds, or "-90m" / "-2h" / "-1d" before now. */
export function timeOption(value: string, now = Date.now()): number {
  const rel = /^-(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value);
  if (rel) return now - Number(rel[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d{10,}$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new InvalidArgumentError('expected an ISO time, epoch ms, or -30m / -2h / -1d');
  return t;
}

/** --token, PULSE_TOKEN, else a short-lived support token signed with the hub's secret (PULSE_SECRET or <data>/secret). */
function viewerToken(opts: ReportOptions): string {
  const given = opts.token ?? process.env.PULSE_TOKEN;
  if (given) return given;
  const path = join(opts.data, 'secret');
  const secret = process.env.PULSE_SECRET || (existsSync(path) ? readFileSync(path, 'utf8').trim() : '');
  if (!secret) throw new Error(`no token for the hub: give --token (pulse token viewer --role support), PULSE_TOKEN, or run where PULSE_SECRET or ${path} is`);
  return signViewerToken(secret, { sub: 'pulse-report', role: 'support' }, 300);
}

export function registerReportCommand(program: Command): void {
  const report = program.command('report').description('the diagnostic report of a terminal or a restaurant, from a hub, in the dashboard\'s words; and the weekly stability report');
  const common = (c: Command) =>
    c
      .option('--hub <url>', 'the hub (dashboard) URL', 'http://127.0.0.1:7400')
      .option('--token <jwt>', 'a viewer token (default: PULSE_TOKEN, else one signed with PULSE_SECRET or <data>/secret)')
      .option('--data <dir>', 'data folder holding the hub\'s secret', defaultDataDir);

  common(report.command('terminal').description('state, uptime, reconnect attempts, last heartbeat, issues found, health figures').argument('<tid>', 'terminal id'))
    .option('--from <time>', 'window start: ISO time, epoch ms, or -30m / -2h / -1d (default -1h)', (v) => timeOption(v))
    .option('--to <time>', 'window end (default now)', (v) => timeOption(v))
    .option('--restaurant <rid>', 'the terminal\'s restaurant (terminal ids are per restaurant); needed when more than one restaurant has this id')
    .addHelpText('after', '\nExamples:\n  pulse report terminal r-001-t1\n  pulse report terminal till-3 --restaurant r-007 --hub https://pulse.example.com --token "$PULSE_TOKEN" --from -24h')
    .action(async (tid: string, opts: ReportOptions) => {
      const token = viewerToken(opts);
      const now = Date.now();
      const to = opts.to ?? now;
      const from = opts.from ?? to - 3_600_000;
      if (from >= to) throw new Error('--from must be before --to');
      const page = await fetchTerminalEvents(opts.hub, token, tid, from - lookbackMs, Math.min(to, now), opts.restaurant).catch((error: unknown) => {
        // The hub names the restaurants (of the token's scope) that have the id: say how to pick one.
        if (error instanceof Error && error.message.includes('TERMINAL_AMBIGUOUS')) throw new Error(`${error.message}; name one with --restaurant <rid>`);
        throw error;
      });
      // Its live status, as the terminal view polls it: the last heartbeat and RTT (not stored).
      const status = to >= now ? (await fetchRestaurant(opts.hub, token, page.rid)).terminals.find((t) => t.tid === tid) : undefined;
      process.stdout.write(renderTerminalReport(page, { from, to, now, fetchedAt: now, ...(status ? { status } : {}) }));
    });

  common(report.command('restaurant').description('its figures and every terminal\'s state, health and last close').argument('<rid>', 'restaurant id'))
    .addHelpText('after', '\nExamples:\n  pulse report restaurant r-001')
    .action(async (rid: string, opts: ReportOptions) => {
      const answer = await fetchRestaurant(opts.hub, viewerToken(opts), rid);
      process.stdout.write(renderRestaurantReport(answer, Date.now()));
    });

  registerWeekReport(report, common, (opts) => viewerToken({ hub: '', ...opts }));
}
