/**
 * `pulse audit terminal` on real sockets: the simulator's terminal (the resilient socket of
 * src/core) passes every check, and each deliberately broken terminal is caught by exactly the
 * check meant for it. Heartbeat 300 ms, backoff 100 ms → 800 ms, stable after 600 ms: ~8 s each.
 */
import { describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { startFleet, type Fleet } from '../sim/fleet.ts';
import { auditReportSchema, type AuditReport } from './audit-report.ts';
import { auditTerminal, type TerminalAuditOptions } from './terminal-audit.ts';
import { terminalCheckIds, type TerminalCheckId } from './terminal-checks.ts';
import { startFaultyTerminal, type TerminalFault } from './test-helpers/faulty-terminal.ts';

const secret = 'terminal-audit-secret-0123456789';
const intervalMs = 300;
const backoff = { baseMs: 100, capMs: 800 };
const stableMs = 600;
const options = (onListening: (url: string) => void): TerminalAuditOptions => ({ port: 0, intervalMs, graceMs: 150, capMs: backoff.capMs * 1.1, stableMs, drops: 6, connectTimeoutMs: 10_000, onListening });
const failed = (r: AuditReport) => r.checks.filter((c) => c.status !== 'pass').map((c) => c.id);
const explain = (r: AuditReport) => JSON.stringify(r.checks.filter((c) => c.status !== 'pass'), null, 1);

describe('pulse audit terminal', () => {
  it('the simulator\'s terminal passes every check', async () => {
    let fleet: Fleet | undefined;
    try {
      const report = await auditTerminal(
        options((url) => {
          void startFleet({ gatewayUrl: url, secret, restaurants: 1, terminals: { min: 1, max: 1 }, heartbeatIntervalMs: intervalMs, backoff, stableAfterMs: stableMs, seed: 3 }).then((f) => (fleet = f));
        }),
      );
      expect(auditReportSchema.parse(report)).toEqual(report);
      expect(report.checks.map((c) => c.id)).toEqual(terminalCheckIds);
      expect(failed(report), explain(report)).toEqual([]);
    } finally {
      await fleet?.stop();
    }
  }, 30_000);

  const run = async (fault?: TerminalFault): Promise<AuditReport> => {
    let terminal: { stop(): void } | undefined;
    try {
      return await auditTerminal(
        options((url) => {
          terminal = startFaultyTerminal({ url, token: signTerminalToken(secret, 'till-1', 'r-001', 600), intervalMs, ...backoff, stableMs, ...(fault ? { fault } : {}) });
        }),
      );
    } finally {
      terminal?.stop();
    }
  };

  it('the faultless fixture terminal passes every check (so a fault below is the only difference)', async () => {
    const report = await run();
    expect(failed(report), explain(report)).toEqual([]);
  }, 30_000);

  const expected: Record<TerminalFault, TerminalCheckId> = {
    'fixed-500ms': 'terminal.backoff',
    'retry-after-4001': 'terminal.no-retry-4001',
    'second-connection': 'terminal.single',
  };
  it.each(Object.entries(expected) as [TerminalFault, TerminalCheckId][])('%s is caught by %s and nothing else', async (fault, check) => {
    const report = await run(fault);
    expect(failed(report), explain(report)).toEqual([check]);
  }, 30_000);
});
