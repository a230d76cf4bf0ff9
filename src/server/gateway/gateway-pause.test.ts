/**
 * Issue 18, item 11: a paused gateway (`kill -STOP`, then `-CONT`) must not blame its terminals.
 * Seen: paused 40 s, it closed all 115 terminals with 4008 at once, the dashboard then showing 115
 * heartbeat timeouts. A real gateway process with a 300 ms interval and 150 ms grace (dead after
 * 750 ms of silence) is stopped for 1.2 s — four intervals — while its terminals keep pinging into
 * their sockets. After SIGCONT the pinging terminals stay connected; one that really is silent is
 * still closed with 4008 afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { connectTerminal, metricValue, sleep, type TestTerminal } from './test-helpers/test-terminal.ts';

const secret = 'pause-secret-0123456789abcdef';
const intervalMs = 300;
const graceMs = 150;
const childScript = fileURLToPath(new URL('./test-helpers/gateway-process.ts', import.meta.url));

let proc: ChildProcess;
let url = '';
let metricsUrl = '';

beforeAll(async () => {
  proc = spawn(process.execPath, ['--import', 'tsx', childScript, String(intervalMs), String(graceMs)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PULSE_SECRET: secret } });
  [url, metricsUrl] = await new Promise<[string, string]>((resolve, reject) => {
    let out = '';
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /ready (\S+) (\S+)\n/.exec(out);
      if (m) resolve([m[1]!, m[2]!]);
    });
    proc.once('exit', (code) => reject(new Error(`gateway exited (${code}) before ready`)));
  });
}, 20_000);
afterAll(() => {
  proc.kill('SIGCONT');
  proc.kill('SIGKILL');
});

const metrics = async () => (await fetch(metricsUrl)).text();

describe('a paused gateway', () => {
  it('does not close terminals whose pings were queued while it was stopped, and still closes a silent one', async () => {
    const terminals: TestTerminal[] = [];
    const pingers: ReturnType<typeof setInterval>[] = [];
    for (let i = 1; i <= 4; i++) {
      const t = connectTerminal(url, { kind: 'subprotocol', token: signTerminalToken(secret, `r-001-t${i}`, 'r-001', 60) });
      await t.next('welcome');
      let seq = 0;
      t.ping(++seq);
      pingers.push(setInterval(() => t.ping(++seq), intervalMs));
      terminals.push(t);
    }
    const silent = connectTerminal(url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-001-t9', 'r-001', 60) });
    await silent.next('welcome');
    try {
      await sleep(2 * intervalMs);
      proc.kill('SIGSTOP');
      await sleep(4 * intervalMs);
      proc.kill('SIGCONT');
      // Long enough for a wrong verdict to show (it came at once), short of the silent one's new deadline.
      await sleep(intervalMs);
      for (const t of terminals) expect(t.ws.readyState, 'a pinging terminal is still connected').toBe(t.ws.OPEN);
      expect(metricValue(await metrics(), 'pulse_gateway_closes_total', { code: '4008' })).toBe(0);
      expect(metricValue(await metrics(), 'pulse_gateway_stalls_total')).toBe(1);
      // Nor were their pings judged late for the gap the gateway made.
      expect(metricValue(await metrics(), 'pulse_gateway_heartbeats_total', { result: 'late' })).toBe(0);
      // The silent one is still judged: dead 2 intervals + grace after the gateway came back.
      await silent.closed;
      expect(metricValue(await metrics(), 'pulse_gateway_closes_total', { code: '4008' })).toBe(1);
      for (const t of terminals) expect(t.ws.readyState).toBe(t.ws.OPEN);
    } finally {
      for (const p of pingers) clearInterval(p);
      for (const t of terminals) t.ws.close(1000);
    }
  }, 20_000);
});
