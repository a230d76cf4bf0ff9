/**
 * What an audit says: one verdict per check, with the evidence it rests on and the fix to suggest.
 * The `--json` output of `pulse audit` is this object; CI jobs read it, so its shape is written
 * once, here, as a schema (and the text report is rendered from the same object).
 */
import { z } from 'zod';

export const checkStatuses = ['pass', 'fail', 'n/a'] as const;
export type CheckStatus = (typeof checkStatuses)[number];

export const checkResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(checkStatuses),
  /** One sentence: what was found. */
  summary: z.string(),
  /** What was sent, what came back, timings — one fact per line. */
  evidence: z.array(z.string()),
  /** What to change when the check fails (absent on a pass). */
  fix: z.string().optional(),
  /** How long the check took, in ms. */
  durationMs: z.number().nonnegative(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const auditReportSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['gateway', 'terminal']),
  /** The gateway URL audited, or where the terminal audit listened. Never a token. */
  target: z.string(),
  startedAt: z.number(),
  finishedAt: z.number(),
  /** Facts the audit learned and used (e.g. the heartbeat interval and where it came from). */
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  checks: z.array(checkResultSchema),
  counts: z.object({ pass: z.number(), fail: z.number(), 'n/a': z.number() }),
  passed: z.boolean(),
});
export type AuditReport = z.infer<typeof auditReportSchema>;

export function countStatuses(checks: readonly CheckResult[]): AuditReport['counts'] {
  const counts = { pass: 0, fail: 0, 'n/a': 0 };
  for (const c of checks) counts[c.status]++;
  return counts;
}

export function buildReport(o: Omit<AuditReport, 'version' | 'counts' | 'passed'>): AuditReport {
  const counts = countStatuses(o.checks);
  return { version: 1, ...o, counts, passed: counts.fail === 0 };
}

/** The exit code for CI: 0 when nothing failed ("not applicable" is not a failure), 1 otherwise. */
export function exitCodeOf(report: AuditReport): number {
  return report.passed ? 0 : 1;
}

/** Shorthands for judges, so each reads as its verdict. */
export const verdict = {
  pass: (summary: string, evidence: string[] = []): Omit<CheckResult, 'id' | 'title' | 'durationMs'> => ({ status: 'pass', summary, evidence }),
  fail: (summary: string, evidence: string[] = [], fix?: string): Omit<CheckResult, 'id' | 'title' | 'durationMs'> => ({ status: 'fail', summary, evidence, ...(fix ? { fix } : {}) }),
  na: (summary: string, evidence: string[] = []): Omit<CheckResult, 'id' | 'title' | 'durationMs'> => ({ status: 'n/a', summary, evidence }),
};
export type Judged = ReturnType<typeof verdict.pass>;
