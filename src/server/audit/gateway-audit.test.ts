/**
 * `pulse audit gateway` on real sockets: the reference gateway passes every check, and each
 * deliberately broken gateway (one fault each) is caught by exactly the check meant for it and by
 * nothing else. Short heartbeats (300 ms, grace 150) keep each audit near a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../gateway/gateway.ts';
import { auditReportSchema, type AuditReport } from './audit-report.ts';
import { auditGateway, type AuditProgress } from './gateway-audit.ts';
import { gatewayCheckIds, type GatewayCheckId } from './gateway-checks.ts';
import { startFaultyGateway, type GatewayFault } from './test-helpers/faulty-gateway.ts';
import { commandTokens, secretTokens } from './token-source.ts';

const secret = 'audit-test-secret-0123456789';
const intervalMs = 300;
const graceMs = 150;

const failed = (r: AuditReport) => r.checks.filter((c) => c.status === 'fail').map((c) => c.id);
const statusOf = (r: AuditReport, id: GatewayCheckId) => r.checks.find((c) => c.id === id)?.status;

describe('the reference gateway', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ secret, port: 0, heartbeatIntervalMs: intervalMs, heartbeatGraceMs: graceMs });
  });
  afterAll(() => gateway.close());

  it('passes every check, learning the interval from its welcome, and reports progress as it goes', async () => {
    const progress: AuditProgress[] = [];
    const report = await auditGateway({ url: gateway.url, tokens: secretTokens(secret, Date.now), restaurant: 'r-001', terminal: 'till-1', graceMs, answerMs: 1000, onProgress: (e) => progress.push(e) });
    expect(auditReportSchema.parse(report)).toEqual(report);
    expect(report.checks.map((c) => c.id)).toEqual(gatewayCheckIds);
    expect(failed(report), JSON.stringify(report.checks.filter((c) => c.status !== 'pass'), null, 1)).toEqual([]);
    expect(report.counts).toEqual({ pass: gatewayCheckIds.length, fail: 0, 'n/a': 0 });
    expect(report.settings).toMatchObject({ heartbeatIntervalMs: intervalMs, heartbeatIntervalFrom: "the gateway's welcome", ways: 'subprotocol, query' });
    expect(progress.filter((e) => e.type === 'done')).toHaveLength(gatewayCheckIds.length);
    expect(progress.find((e) => e.type === 'start' && e.id === 'heartbeat.timeout')).toMatchObject({ note: expect.stringMatching(/waiting up to 1\.\d s/) });
    // The audit's own tokens never reach its report.
    expect(JSON.stringify(report)).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('with --token-cmd (no secret) it forges what needs no key and says the rest needs the secret', async () => {
    const printToken = new URL('./test-helpers/print-token.ts', import.meta.url).pathname;
    const tokens = commandTokens(`"${process.execPath}" --import tsx "${printToken}"`, { ...process.env, AUDIT_TEST_SECRET: secret });
    const report = await auditGateway({ url: gateway.url, tokens, restaurant: 'r-001', terminal: 'till-1', graceMs, answerMs: 1000, only: ['token'] });
    expect(failed(report)).toEqual([]);
    for (const id of ['token.expired', 'token.algorithm', 'token.claims', 'token.role'] as const) expect(statusOf(report, id)).toBe('n/a');
    for (const id of ['token.accepted', 'token.missing', 'token.malformed', 'token.signature', 'token.alg-none', 'token.not-echoed'] as const) expect(statusOf(report, id)).toBe('pass');
    expect(report.checks.some((c) => c.id.startsWith('heartbeat.'))).toBe(false);
  });
});

describe('gateways with one fault each', () => {
  const expected: Record<GatewayFault, GatewayCheckId> = {
    'alg-none': 'token.alg-none',
    'ping-before-refusal': 'token.unprocessed',
    'no-timeout': 'heartbeat.timeout',
    'no-size-limit': 'limits.frame-size',
    'cross-tenant': 'tenancy.isolation',
  };

  it('the faultless fixture passes every check (so a fault below is the only difference)', async () => {
    const gw = await startFaultyGateway({ secret, intervalMs, graceMs });
    try {
      const report = await auditGateway({ url: gw.url, tokens: secretTokens(secret, Date.now), restaurant: 'r-001', terminal: 'till-1', intervalMs, graceMs, answerMs: 1000 });
      expect(failed(report), JSON.stringify(report.checks.filter((c) => c.status !== 'pass'), null, 1)).toEqual([]);
      expect(report.settings).toMatchObject({ welcome: false, heartbeatIntervalFrom: '--interval' });
    } finally {
      await gw.stop();
    }
  });

  it.each(Object.entries(expected) as [GatewayFault, GatewayCheckId][])('%s is caught by %s and nothing else', async (fault, check) => {
    const gw = await startFaultyGateway({ secret, intervalMs, graceMs, fault });
    try {
      const report = await auditGateway({ url: gw.url, tokens: secretTokens(secret, Date.now), restaurant: 'r-001', terminal: 'till-1', intervalMs, graceMs, answerMs: 1000 });
      expect(failed(report)).toEqual([check]);
    } finally {
      await gw.stop();
    }
  });
});
