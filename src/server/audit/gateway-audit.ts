/**
 * `pulse audit gateway`: connects to a gateway as terminals and runs the battery of
 * gateway-checks.ts. First a valid token by each way (subprotocol, `?token=`) — which also learns
 * the heartbeat interval from a welcome, when the gateway sends one — then every other check at
 * once, each on its own connections, so the whole audit lasts about as long as its slowest check:
 * waiting for a silent terminal to be dropped (2 intervals + grace).
 */
import type { AuditReport, CheckResult, Judged } from './audit-report.ts';
import { buildReport, verdict } from './audit-report.ts';
import { openAuditSocket, type AuditSocket, type SocketRecord, type Way } from './audit-socket.ts';
import { forgeTokens, type Identity } from './forged-tokens.ts';
import { gatewayChecks, gatewayCheckIds, judgeAccepted, judgeNotEchoed, judgeRefusals, judgeUnprocessed, type GatewayCheckId, type RefusalAttempt } from './gateway-checks.ts';
import { auditTerminals, runForgeries, runHeartbeatChecks, runIsolationCheck, runLimitChecks, runPongCheck, type Driver } from './gateway-probes.ts';
import type { TokenSource } from './token-source.ts';
import { posLimits } from '../../protocol/pos-messages.ts';
import { redactUrl } from '../log/logger.ts';

export type AuditProgress =
  | { type: 'start'; id: GatewayCheckId; title: string; note?: string }
  | { type: 'done'; result: CheckResult };

export interface GatewayAuditOptions {
  url: string;
  tokens: TokenSource;
  restaurant: string;
  terminal: string;
  /** Default `<restaurant>-other`. */
  otherRestaurant?: string;
  /** The heartbeat interval to hold the gateway to; default: its welcome's, else 15000. */
  intervalMs?: number;
  /** Default 5000 (the protocol's grace). */
  graceMs?: number;
  /** How long to wait for an answer that should come at once (a pong, a refusal); default 2000. */
  answerMs?: number;
  /** Check ids or groups (`token`, `heartbeat`, `limits`, `tenancy`); `token.accepted` always runs. */
  only?: readonly string[];
  /** POSTed `{restaurantId, order}` to make the gateway broadcast, instead of a terminal's order frame. */
  orderUrl?: string;
  now?: () => number;
  onProgress?: (event: AuditProgress) => void;
}

export function selectedChecks(only: readonly string[] | undefined): Set<GatewayCheckId> {
  if (!only || only.length === 0) return new Set(gatewayCheckIds);
  const unknown = only.filter((o) => !gatewayCheckIds.some((id) => id === o || id.startsWith(`${o}.`)));
  if (unknown.length) throw new Error(`--only: no check named ${unknown.join(', ')} (checks: ${gatewayCheckIds.join(', ')})`);
  return new Set(gatewayCheckIds.filter((id) => id === 'token.accepted' || only.some((o) => id === o || id.startsWith(`${o}.`))));
}

export async function auditGateway(o: GatewayAuditOptions): Promise<AuditReport> {
  const now = o.now ?? Date.now;
  const startedAt = now();
  const answerMs = o.answerMs ?? 2000;
  const selected = selectedChecks(o.only);
  const results = new Map<GatewayCheckId, CheckResult>();
  const progress = o.onProgress ?? (() => {});
  const finish = (id: GatewayCheckId, startedMs: number, judged: Judged): void => {
    const result: CheckResult = { id, title: gatewayChecks[id].title, ...judged, durationMs: Math.max(0, now() - startedMs) };
    results.set(id, result);
    progress({ type: 'done', result });
  };
  const sockets: AuditSocket[] = [];
  const who = (suffix: string, rid = o.restaurant): Identity => ({ rid, tid: suffix ? `${o.terminal}-${suffix}` : o.terminal });
  const open = (way: Way, token: string | null, onOpen?: (s: AuditSocket) => void): AuditSocket => {
    const s = openAuditSocket({ url: o.url, way, token, now, ...(onOpen ? { onOpen } : {}) });
    sockets.push(s);
    return s;
  };

  try {
    // 1. A valid token, each way: which the gateway takes decides how every other check connects.
    const t0 = now();
    progress({ type: 'start', id: 'token.accepted', title: gatewayChecks['token.accepted'].title });
    const goodToken = o.tokens.issue(who(''));
    const records: Partial<Record<Way, SocketRecord>> = {};
    const accepted: Partial<Record<Way, boolean>> = {};
    let welcomeInterval: number | undefined;
    await Promise.all(
      (['subprotocol', 'query'] as const).map(async (way) => {
        const s = open(way, goodToken, (self) => self.ping(1));
        records[way] = s.record;
        if (!(await s.settled)) return;
        await s.waitFrame((f) => f.message?.type === 'pong', answerMs);
        // A gateway that refuses late (after an await) gets a moment to do so before it counts as accepted.
        await s.waitClose(Math.min(200, answerMs));
        const welcome = s.record.frames.find((f) => f.message?.type === 'welcome')?.message;
        if (welcome?.type === 'welcome') welcomeInterval = welcome.heartbeatIntervalMs;
        accepted[way] = s.record.close === null && s.record.frames.some((f) => f.message?.type === 'pong' || f.message?.type === 'welcome');
        await s.end();
      }),
    );
    finish('token.accepted', t0, judgeAccepted(records, accepted));
    const ways = (['subprotocol', 'query'] as const).filter((w) => accepted[w]);
    const intervalMs = o.intervalMs ?? welcomeInterval ?? posLimits.heartbeatIntervalMs;
    const graceMs = o.graceMs ?? posLimits.heartbeatGraceMs;
    const settings: AuditReport['settings'] = {
      tokens: o.tokens.describe,
      restaurant: o.restaurant,
      terminal: o.terminal,
      ways: ways.join(', ') || 'none',
      heartbeatIntervalMs: intervalMs,
      heartbeatIntervalFrom: o.intervalMs !== undefined ? '--interval' : welcomeInterval !== undefined ? 'the gateway\'s welcome' : 'the protocol default (no welcome; pass --interval)',
      heartbeatGraceMs: graceMs,
      welcome: welcomeInterval !== undefined,
    };

    const pending = [...selected].filter((id) => id !== 'token.accepted');
    if (ways.length === 0) {
      for (const id of pending) finish(id, now(), verdict.na('no valid token was accepted, so this could not be checked'));
      return report(settings);
    }

    const way = ways[0]!; // the subprotocol when the gateway takes it: tokens in URLs land in logs
    const otherRid = o.otherRestaurant ?? `${o.restaurant}-other`;
    const issued = new Map<string, string>();
    const issue = (suffix: string, rid = o.restaurant): string => {
      const key = `${rid}\u0000${suffix}`;
      if (!issued.has(key)) issued.set(key, o.tokens.issue(who(suffix, rid)));
      return issued.get(key)!;
    };
    // All issued before any check starts: a --token-cmd runs synchronously and would stall the sockets.
    if (pending.some((id) => !id.startsWith('token.'))) for (const t of auditTerminals) issue(t.suffix, t.other ? otherRid : undefined);
    const driver: Driver = { open: (w, token, onOpen) => open(w, token, onOpen), way, now, answerMs, issue };
    const tasks: Promise<void>[] = [];
    const want = (id: GatewayCheckId) => selected.has(id);
    const run = (id: GatewayCheckId, note: string | undefined, job: () => Promise<Judged>): Promise<void> => {
      const started = now();
      progress({ type: 'start', id, title: gatewayChecks[id].title, ...(note ? { note } : {}) });
      return job().then(
        (judged) => finish(id, started, judged),
        (error: unknown) => finish(id, started, verdict.fail(`the check could not run: ${error instanceof Error ? error.message : String(error)}`)),
      );
    };

    // 2. Bad tokens, every way the gateway takes; then what every handshake answered in its headers.
    const after = new Set<GatewayCheckId>(['token.accepted', 'token.not-echoed', 'token.unprocessed']);
    // The two checks over every refusal need every forgery tried, reported or not.
    const everyForgery = want('token.unprocessed') || want('token.not-echoed');
    const tokenIds = gatewayCheckIds.filter((id) => id.startsWith('token.') && !after.has(id) && (everyForgery || want(id)));
    if (pending.some((id) => id.startsWith('token.'))) {
      tasks.push(
        (async () => {
          const plan = forgeTokens({ good: goodToken, who: who(''), ...(o.tokens.secret !== undefined ? { secret: o.tokens.secret } : {}), nowMs: now() });
          for (const u of plan.unavailable) if (selected.has(u.check)) finish(u.check, now(), verdict.na(u.why));
          const attempts: RefusalAttempt[] = [];
          const byCheck: Promise<void>[] = [];
          for (const id of tokenIds) {
            const forgeries = plan.forgeries.filter((f) => f.check === id);
            if (forgeries.length === 0) continue;
            const job = async () => {
              const mine = await runForgeries(driver, ways, forgeries);
              attempts.push(...mine);
              return judgeRefusals(id, mine);
            };
            byCheck.push(want(id) ? run(id, undefined, job) : job().then(() => undefined));
          }
          await Promise.all(byCheck);
          if (want('token.unprocessed')) await run('token.unprocessed', undefined, () => Promise.resolve(judgeUnprocessed(attempts)));
          if (want('token.not-echoed')) {
            const seen = [
              ...ways.map((w) => ({ record: records[w]!, token: goodToken })),
              ...attempts.filter((a) => a.forgery.token !== null).map((a) => ({ record: a.record, token: a.forgery.token! })),
            ];
            await run('token.not-echoed', undefined, () => Promise.resolve(judgeNotEchoed(seen)));
          }
        })(),
      );
    }

    if (want('heartbeat.pong')) tasks.push(run('heartbeat.pong', undefined, () => runPongCheck(driver)));
    for (const id of ['limits.frame-size', 'limits.invalid', 'limits.flood'] as const) {
      if (want(id)) tasks.push(run(id, undefined, () => runLimitChecks[id](driver)));
    }
    if (want('tenancy.isolation')) {
      tasks.push(run('tenancy.isolation', undefined, () => runIsolationCheck(driver, { rid: o.restaurant, otherRid, ...(o.orderUrl ? { orderUrl: o.orderUrl } : {}) })));
    }
    if (want('heartbeat.timeout') || want('heartbeat.kept')) {
      tasks.push(
        runHeartbeatChecks(driver, { intervalMs, graceMs }, {
          start: (id, note) => {
            if (want(id)) progress({ type: 'start', id, title: gatewayChecks[id].title, note });
          },
          done: (id, started, judged) => {
            if (want(id)) finish(id, started, judged);
          },
        }),
      );
    }
    await Promise.all(tasks);
    return report(settings);
  } finally {
    await Promise.all(sockets.map((s) => s.end()));
  }

  function report(settings: AuditReport['settings']): AuditReport {
    const checks = gatewayCheckIds.flatMap((id) => (results.has(id) ? [results.get(id)!] : []));
    // The URL as given, minus any token someone put in its query.
    return buildReport({ kind: 'gateway', target: redactUrl(o.url), startedAt, finishedAt: now(), settings, checks });
  }
}
