/**
 * `pulse audit gateway` against the two gateways Pulse did not write (examples/): what the audit
 * says of each is what is true of its code, check by check — and neither passes, for the reasons
 * their READMEs give (no rate limit; the FastAPI one has no frame limit) and for the claims rule
 * they predate (empty `sub`/`rid` and a `role` claim are let through).
 *
 * Both time out silent terminals on their own (2 × interval + grace, from the last message), so
 * `heartbeat.timeout` passes; neither sends a welcome, so the audit is given the interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleGateway, type ExampleGateway } from '../probe/node/test-helpers/node-ws-gateway.ts';
import { requireFastApi, startFastApiGateway, type FastApiGateway } from '../test-helpers/fastapi-gateway.ts';
import type { AuditReport, CheckStatus } from './audit-report.ts';
import { auditGateway } from './gateway-audit.ts';
import type { GatewayCheckId } from './gateway-checks.ts';
import { secretTokens } from './token-source.ts';

const secret = 'audit-foreign-secret-0123456789';
const intervalMs = 300;
const graceMs = 150;

const statuses = (r: AuditReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status])) as Record<GatewayCheckId, CheckStatus>;
const summary = (r: AuditReport, id: GatewayCheckId) => r.checks.find((c) => c.id === id)?.summary ?? '';
const audit = (url: string) => auditGateway({ url, tokens: secretTokens(secret, Date.now), restaurant: 'r-001', terminal: 'till-1', intervalMs, graceMs, answerMs: 1000 });

/** What both gateways get right, checked the same on each. */
const commonPasses: GatewayCheckId[] = [
  'token.accepted',
  'token.missing',
  'token.malformed',
  'token.expired',
  'token.signature',
  'token.alg-none',
  'token.algorithm',
  'token.unprocessed',
  'token.not-echoed',
  'heartbeat.pong',
  'heartbeat.timeout',
  'heartbeat.kept',
  'limits.invalid',
  'tenancy.isolation',
];

describe('the plain Node ws gateway (examples/node-ws-gateway)', () => {
  let gateway: ExampleGateway;
  let report: AuditReport;
  beforeAll(async () => {
    gateway = await startExampleGateway({ secret, heartbeatIntervalMs: intervalMs, heartbeatGraceMs: graceMs });
    report = await audit(gateway.url);
  });
  afterAll(() => gateway.stop());

  it('passes what its code does: tokens by ?token= only, HS256 pinned, 4008 on silence, 64 KiB limit, rooms per restaurant', () => {
    const s = statuses(report);
    for (const id of [...commonPasses, 'limits.frame-size'] as const) expect(s[id], `${id}: ${summary(report, id)}`).toBe('pass');
    expect(summary(report, 'token.accepted')).toBe('accepted by ?token= only (no bearer subprotocol)');
    expect(summary(report, 'heartbeat.timeout')).toMatch(/^closed 4008 /);
  });

  it('fails what it lacks: a rate limit, and the claims rule (empty sub/rid, a role claim pass)', () => {
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort()).toEqual(['limits.flood', 'token.claims', 'token.role']);
    expect(summary(report, 'limits.flood')).toMatch(/^no rate limit: all 300 pings sent at once were answered/);
    expect(summary(report, 'token.claims')).toMatch(/accepted a bad token: (sub ""|rid "")/);
    expect(report.passed).toBe(false);
  });
});

const skipFastApi = requireFastApi();

describe.skipIf(skipFastApi)('the FastAPI gateway (examples/fastapi-gateway)', () => {
  let gateway: FastApiGateway;
  let report: AuditReport;
  beforeAll(async () => {
    gateway = await startFastApiGateway({ secret, heartbeatIntervalMs: intervalMs, heartbeatGraceMs: graceMs });
    report = await audit(gateway.url);
  }, 30_000);
  afterAll(() => gateway?.stop());

  it('passes what its code does, its own heartbeat timeout included (no probe watchdog needed)', () => {
    const s = statuses(report);
    for (const id of commonPasses) expect(s[id], `${id}: ${summary(report, id)}`).toBe('pass');
    expect(summary(report, 'token.accepted')).toBe('accepted by ?token= only (no bearer subprotocol)');
    expect(report.checks.find((c) => c.id === 'token.accepted')?.evidence.join('\n')).toMatch(/pulse\.v1, bearer.*not accepted \(handshake failed: Server sent no subprotocol\)/);
  });

  it('fails what it lacks: a frame limit (uvicorn takes 16 MiB), a rate limit, and the claims rule', () => {
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort()).toEqual(['limits.flood', 'limits.frame-size', 'token.claims', 'token.role']);
    expect(summary(report, 'limits.frame-size')).toMatch(/^no frame size limit: a 65\.0 KiB frame was processed/);
  });
});
