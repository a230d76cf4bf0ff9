/**
 * An audit report in words, for a shell or a CI log: one line per check as it finishes (progress),
 * then the report — verdict, what was found, the evidence, the fix. Pure: strings in, strings out.
 * Everything that came from the gateway (close reasons, frames) is printed as text, never
 * interpreted; control characters are replaced so a hostile reason cannot drive the terminal.
 */
import type { AuditReport, CheckResult, CheckStatus } from './audit-report.ts';

const mark: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', 'n/a': 'N/A ' };

/** Control characters (ESC, CR, …) as visible escapes: a terminal renders text, never commands. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function progressLine(result: CheckResult): string {
  return `${mark[result.status]}  ${result.id.padEnd(18)} ${plain(result.summary)}`;
}

export function renderReport(report: AuditReport): string {
  const lines: string[] = [];
  const seconds = ((report.finishedAt - report.startedAt) / 1000).toFixed(1);
  lines.push(`Pulse audit of ${report.kind} ${plain(report.target)} — ${report.passed ? 'PASSED' : 'FAILED'} in ${seconds} s`);
  lines.push(`  ${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts['n/a']} not applicable`);
  const settings = Object.entries(report.settings);
  if (settings.length) {
    lines.push('', 'Settings:');
    for (const [k, v] of settings) lines.push(`  ${k}: ${plain(String(v))}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail');
  if (failed.length) {
    lines.push('', 'Issues found:');
    for (const c of failed) {
      lines.push(`  ✗ ${c.id} — ${c.title}`, `    ${plain(c.summary)}`);
      for (const e of c.evidence) lines.push(`      · ${plain(e)}`);
      if (c.fix) lines.push(`    Fix: ${c.fix}`);
    }
  }
  lines.push('', 'Checks:');
  for (const c of report.checks) {
    lines.push(`  ${mark[c.status]}  ${c.id.padEnd(18)} ${c.title}`, `        ${plain(c.summary)}`);
    // A pass shows its first few facts; the issues above show all of theirs, --json has everything.
    if (c.status !== 'fail') {
      for (const e of c.evidence.slice(0, 3)) lines.push(`        · ${plain(e)}`);
      if (c.evidence.length > 3) lines.push(`        · (${c.evidence.length - 3} more in --json)`);
    }
  }
  return lines.join('\n') + '\n';
}
