/**
 * `pulse report` against a real pipeline (gateway, probe, bus, hub, SQLite store): a scripted
 * terminal like the drill-down e2e's — a dropped connection (1006), a silent one buried by the
 * gateway (4008), a token the gateway refuses (4001), then reconnects far below the backoff base —
 * and the report names the issues the dashboard names ("heartbeat missing", "backoff not
 * respected"), built by the same core functions from the same endpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken, signViewerToken } from '../auth/tokens.ts';
import { startAllInOne, type AllInOne } from '../pipeline/all-in-one.ts';
import { bearerPrefix, posSubprotocol } from '../../protocol/pos-messages.ts';
import { cliChildren, poll } from './test-helpers/cli-child.ts';
import { timeOption } from './report-command.ts';

const secret = 'report-test-secret-0123456789';
const rid = 'r-001';
const tid = 'r-001-x1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cli = cliChildren();
let app: AllInOne;
let dir: string;
let viewer: string;

/** Opens a terminal; resolves once open (or closed), with a way to drop it and its close code. */
async function connect(token: string, o: { ping?: boolean } = {}) {
  const ws = new WebSocket(app.gateway.url, [posSubprotocol, bearerPrefix + token]);
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  let timer: ReturnType<typeof setInterval> | undefined;
  await new Promise<void>((resolve) => {
    ws.once('open', () => {
      if (o.ping !== false) {
        let seq = 0;
        const ping = () => ws.send(JSON.stringify({ type: 'ping', seq: ++seq, timestamp: Date.now() }));
        ping();
        timer = setInterval(ping, 300);
      }
      resolve();
    });
    ws.once('close', () => resolve());
  });
  void closed.then(() => clearInterval(timer));
  return { drop: () => ws.terminate(), closed };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pulse-report-'));
  app = await startAllInOne({
    secret,
    dataDir: dir,
    port: 0,
    gatewayPort: 0,
    staticDir: join(dir, 'no-dist'),
    heartbeatIntervalMs: 300,
    heartbeatGraceMs: 150,
    hub: { flushIntervalMs: 200, backoff: { baseMs: 300, capMs: 2000 }, stableAfterMs: 600 },
  });
  viewer = signViewerToken(secret, { sub: 'test', role: 'support' });
  const token = signTerminalToken(secret, tid, rid, 600);
  const first = await connect(token);
  await sleep(700);
  first.drop();
  await sleep(600);
  const silent = await connect(token, { ping: false });
  await silent.closed; // 4008 at the gateway, 2 × 300 + 150 ms later
  await sleep(600);
  const forged = jwt.sign({ sub: tid, rid }, 'not-the-pulse-secret-0123456789', { algorithm: 'HS256', expiresIn: 600 });
  expect(await (await connect(forged)).closed).toBe(4001);
  for (let i = 0; i < 3; i++) {
    await sleep(50);
    const hasty = await connect(token);
    if (i < 2) {
      await sleep(700);
      hasty.drop();
    }
  }
  // Until the store has what the script did: the probe's 1 s batches, the hub's 200 ms writes.
  await poll(
    'the scripted events in the store',
    async () => (await (await fetch(`${app.hub.url}/api/terminals/${tid}/events?from=${Date.now() - 60_000}&to=${Date.now()}`, { headers: { authorization: `Bearer ${viewer}` } })).json()) as { events?: { type: string; code?: number }[] },
    (page) => (page.events ?? []).filter((e) => e.type === 'open').length >= 5 && (page.events ?? []).some((e) => e.code === 4008),
  );
  await sleep(5_500); // past the store lag the terminal view allows for
}, 60_000);

afterAll(async () => {
  cli.cleanup();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('pulse report', () => {
  it('terminal: state, attempts, last heartbeat, and the issues the dashboard names', async () => {
    const run = cli.run(['report', 'terminal', tid, '--hub', app.hub.url, '--token', viewer, '--from', '-5m']);
    expect(await run.exited, run.err()).toBe(0);
    const out = run.out();
    expect(out).toMatch(new RegExp(`^Terminal ${tid} of restaurant ${rid}, \\d\\d:\\d\\d–\\d\\d:\\d\\d$`, 'm'));
    expect(out).toMatch(/^State: +connected, up /m);
    expect(out).toMatch(/^Reconnect attempts: +\d+ \(\d+ too soon\)$/m);
    // From the live status, as the terminal view's poll: a heartbeat interval (300 ms) old plus the
    // run's own lag on a loaded machine, never the last stored event (over 5.5 s old by now).
    expect(out).toMatch(/^Last heartbeat: +(0\.\d|[1-4](\.\d)?) s ago$/m);
    expect(out).toMatch(/^RTT avg \/ p95: +no data$/m); // this script's pings report no rtt
    // The refused token's claims are unverified, but an engineer's events page carries the refusals
    // that claimed this terminal (marked so), and the terminal view names them: so does the report.
    expect(out).toMatch(/^ {2}- token rejected \(4001\) 1×/m);
    expect(out).toMatch(/^ {2}- heartbeat missing: 1 timeout \(4008\)/m);
    expect(out).toMatch(/^ {2}- backoff not respected: retried after 0\.\d s, policy says ≥ 0\.3 s/m);
    expect(out).toMatch(/Rules: heartbeat 300 ms \+ 150 ms grace, backoff 300 ms → 2 s/);
  });

  it('restaurant: its figures and the terminal, with its last close', async () => {
    const run = cli.run(['report', 'restaurant', rid, '--hub', app.hub.url, '--token', viewer]);
    expect(await run.exited, run.err()).toBe(0);
    expect(run.out()).toMatch(new RegExp(`^Restaurant ${rid} at \\d\\d:\\d\\d: \\w+`, 'm'));
    expect(run.out()).toMatch(/^Connected: +1 \/ 1 expected$/m);
    expect(run.out()).toMatch(new RegExp(`^ {2}${tid} +healthy +connected for `, 'm'));
  });

  it('says why it cannot read: a bad token is the hub\'s refusal, in its code', async () => {
    const run = cli.run(['report', 'terminal', tid, '--hub', app.hub.url, '--token', 'not-a-token']);
    expect(await run.exited).toBe(1);
    expect(run.err()).toMatch(/HTTP 401 TOKEN_/);
  });

  it('terminal: a bare id two restaurants have is refused with both named; --restaurant picks one', async () => {
    // Real POS fleets name tills per restaurant (issue 18, item 3).
    const a = await connect(signTerminalToken(secret, 'till-1', 'r-a', 600));
    const b = await connect(signTerminalToken(secret, 'till-1', 'r-b', 600));
    try {
      await poll(
        'both till-1s known to the hub',
        async () => (await fetch(`${app.hub.url}/api/terminals/till-1/events`, { headers: { authorization: `Bearer ${viewer}` } })).status,
        (status) => status === 409,
      );
      const bare = cli.run(['report', 'terminal', 'till-1', '--hub', app.hub.url, '--token', viewer]);
      expect(await bare.exited).toBe(1);
      expect(bare.err()).toMatch(/HTTP 409 TERMINAL_AMBIGUOUS: .*till-1 is in r-a, r-b; name one with --restaurant <rid>/);
      const picked = cli.run(['report', 'terminal', 'till-1', '--restaurant', 'r-b', '--hub', app.hub.url, '--token', viewer]);
      expect(await picked.exited, picked.err()).toBe(0);
      expect(picked.out()).toMatch(/^Terminal till-1 of restaurant r-b, /m);
    } finally {
      a.drop();
      b.drop();
    }
  });

  it('--from/--to take ISO times, epoch ms and "-2h"', () => {
    expect(timeOption('-2h', 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(timeOption('1796300000000')).toBe(1796300000000);
    expect(timeOption('2026-12-03T12:00:00Z')).toBe(Date.UTC(2026, 11, 3, 12));
  });
});
