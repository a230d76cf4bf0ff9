/**
 * `pulse audit gateway` as a user (or a CI job) runs it: a child process through bin/pulse.js,
 * progress as checks finish, the report, and the exit code that fails a pipeline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { auditReportSchema } from '../audit/audit-report.ts';
import { gatewayCheckIds } from '../audit/gateway-checks.ts';
import { startFaultyGateway } from '../audit/test-helpers/faulty-gateway.ts';
import { startFaultyTerminal } from '../audit/test-helpers/faulty-terminal.ts';
import { signTerminalToken } from '../auth/tokens.ts';
import { cliChildren } from './test-helpers/cli-child.ts';

const secret = 'audit-cli-secret-0123456789';
const cli = cliChildren();
afterEach(cli.cleanup);

describe('pulse audit gateway', () => {
  it('against the reference gateway (`pulse gateway`), with only its data folder: progress line by line, a report in words, exit 0', async () => {
    const data = cli.tempDir();
    const gw = cli.run(['gateway', '--port', '0', '--heartbeat-ms', '300', '--grace-ms', '150', '--data', data]);
    const [, url] = await gw.waitFor(/listening on (\S+)/);
    const audit = cli.run(['audit', 'gateway', url!, '--data', data, '--grace', '150', '--answer-ms', '1000']);
    expect(await audit.exited, audit.out() + audit.err()).toBe(0);
    const out = audit.out();
    expect(out).toMatch(/^pulse audit gateway ws:\/\/\S+: tokens signed with the secret \(.*secret\)$/m);
    expect(out).toMatch(/^\.\.\.\. {2}heartbeat\.timeout +waiting up to 1\.\d s/m);
    for (const id of gatewayCheckIds) {
      expect(out).toMatch(new RegExp(`^PASS {2}${id.replace('.', '\\.')} `, 'm'));
    }
    expect(out).toMatch(new RegExp(`— PASSED in \\d+\\.\\d s\\n {2}${gatewayCheckIds.length} passed, 0 failed, 0 not applicable`));
    expect(out).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('--json: the report on stdout (progress on stderr), exit 1 when a check fails — the pipeline stops', async () => {
    const faulty = await startFaultyGateway({ secret, intervalMs: 300, graceMs: 150, fault: 'no-size-limit' });
    try {
      const audit = cli.run(['audit', 'gateway', faulty.url, '--secret', secret, '--interval', '300', '--grace', '150', '--answer-ms', '1000', '--json']);
      expect(await audit.exited, audit.err()).toBe(1);
      const report = auditReportSchema.parse(JSON.parse(audit.out()));
      expect(report.checks.map((c) => c.id)).toEqual(gatewayCheckIds);
      expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['limits.frame-size']);
      expect(report.settings).toMatchObject({ heartbeatIntervalMs: 300, heartbeatIntervalFrom: '--interval', welcome: false });
      expect(audit.err()).toMatch(/^FAIL {2}limits\.frame-size +no frame size limit/m);
    } finally {
      await faulty.stop();
    }
  });

  it('refuses to start without a way to make tokens, and names unknown checks', async () => {
    const none = cli.run(['audit', 'gateway', 'ws://127.0.0.1:1/ws', '--data', cli.tempDir()]);
    expect(await none.exited).toBe(1);
    expect(none.err()).toMatch(/no secret to sign the audit's tokens: give --secret/);
    const unknown = cli.run(['audit', 'gateway', 'ws://127.0.0.1:1/ws', '--secret', secret, '--only', 'token,bogus']);
    expect(await unknown.exited).toBe(1);
    expect(unknown.err()).toMatch(/--only: no check named bogus/);
    const notWs = cli.run(['audit', 'gateway', 'http://127.0.0.1:1/ws', '--secret', secret]);
    expect(await notWs.exited).not.toBe(0);
    expect(notWs.err()).toMatch(/must start with ws:\/\/ or wss:\/\//);
  });
});

describe('pulse audit terminal', () => {
  it('listens, grades the terminal that connects, and exits 1 when it retries after a 4001', async () => {
    const audit = cli.run(['audit', 'terminal', '--listen', '127.0.0.1:0', '--interval', '300', '--grace', '150', '--cap', '880', '--stable', '600', '--connect-timeout', '10000']);
    const [, url] = await audit.waitFor(/listening on (\S+)/);
    const terminal = startFaultyTerminal({ url: url!, token: signTerminalToken(secret, 'till-1', 'r-001', 600), intervalMs: 300, baseMs: 100, capMs: 800, stableMs: 600, fault: 'retry-after-4001' });
    try {
      expect(await audit.exited, audit.out() + audit.err()).toBe(1);
    } finally {
      terminal.stop();
    }
    expect(audit.out()).toMatch(/^PASS {2}terminal\.backoff +delays grew/m);
    expect(audit.out()).toMatch(/^FAIL {2}terminal\.no-retry-4001 +retried \d+ ms after a 4001/m);
    expect(audit.out()).toMatch(/Pulse audit of terminal ws:\/\/127\.0\.0\.1:\d+\/ws — FAILED/);
  }, 30_000);
});
