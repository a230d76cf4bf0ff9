/**
 * `pulse gateway` as a user runs it: a real child process through bin/pulse.js. With --port 0 it
 * prints the port it got; a terminal connects with a token signed by the secret it generated in
 * the data folder; SIGTERM closes that terminal with 1001 and the process exits 0. bin/pulse.js runs
 * it in a relaunched node with the gateway's V8 flags, and relays signals to it exactly once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { connectTerminal, metricValue } from '../gateway/test-helpers/test-terminal.ts';
import { gatewayV8Flags } from './v8-flags.js';
import { cliChildren } from './test-helpers/cli-child.ts';

const cli = cliChildren();
afterEach(cli.cleanup);
const run = cli.run;

/** The JSON log line the gateway process writes about itself at start (see gateway-command.ts). */
function processLine(stderr: string): { pid: number; execArgv: string[] } | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; pid: number; execArgv: string[] };
    if (entry.msg === 'process') return entry;
  }
  return undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

describe('pulse gateway', () => {
  it('prints the port it got, serves a terminal and /metrics, and on SIGTERM closes it with 1001 and exits 0', async () => {
    const data = cli.tempDir('pulse-gw-cli-');
    const p = run(['gateway', '--port', '0', '--metrics-listen', '127.0.0.1:0', '--data', data, '--heartbeat-ms', '2000', '--id', 'gw-cli-test', '--log-level', 'debug']);
    const [, url, port] = await p.waitFor(/listening on (ws:\/\/127\.0\.0\.1:(\d+)\/ws)/);
    expect(Number(port)).toBeGreaterThan(0);
    // Metrics on their own listener, not the terminals' port (issue 18, item 13).
    const [, metricsUrl] = await p.waitFor(/metrics +(http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    expect(metricsUrl).not.toContain(`:${port}/`);

    const secret = readFileSync(join(data, 'secret'), 'utf8').trim();
    const token = signTerminalToken(secret, 'r-001-t1', 'r-001', 60);
    const t = connectTerminal(url!, { kind: 'query', token });
    const welcome = await t.next('welcome', undefined, 5000);
    expect(welcome).toMatchObject({ gatewayId: 'gw-cli-test', heartbeatIntervalMs: 2000 });

    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(metricsUrl!)).text();
    expect(metricValue(metrics, 'pulse_gateway_connections', { restaurant: 'r-001' })).toBe(1);
    expect(metrics).toContain('process_cpu_seconds_total');

    p.child.kill('SIGTERM');
    expect(await t.closed).toEqual({ code: 1001, reason: 'Server shutting down' });
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('SIGTERM: closing 1 terminal connection(s) with 1001');
    // Debug logging with a query token: the log says a token was there, never what it was.
    expect(p.err()).toContain('token=[REDACTED]');
    expect(p.err() + p.out()).not.toContain(token);
    // It ran as a process relaunched by bin/pulse.js with the gateway's V8 flags.
    const self = processLine(p.err());
    expect(self?.execArgv).toEqual(expect.arrayContaining([...gatewayV8Flags]));
    expect(self?.pid).not.toBe(p.child.pid);
  });

  it('Ctrl-C (SIGINT to the whole process group) stops it cleanly, once', async () => {
    const data = cli.tempDir('pulse-gw-cli-');
    const p = run(['gateway', '--port', '0', '--data', data], { detached: true });
    await p.waitFor(/listening on ws:/);
    process.kill(-p.child.pid!, 'SIGINT');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('SIGINT: closing 0 terminal connection(s) with 1001');
    expect(p.out()).toContain('gateway stopped');
    // Received twice, the second SIGINT would have meant "exit now" (130) without the clean stop.
    expect(p.out()).not.toContain('again');
  });

  it('stops by itself when the wrapper process is killed outright', async () => {
    const data = cli.tempDir('pulse-gw-cli-');
    const p = run(['gateway', '--port', '0', '--data', data]);
    await p.waitFor(/listening on ws:/);
    const gateway = processLine(p.err())!.pid;
    expect(alive(gateway)).toBe(true);
    p.child.kill('SIGKILL');
    expect(await gone(gateway, 5000)).toBe(true);
  });

  it('--help documents the options', async () => {
    const p = run(['gateway', '--help']);
    expect(await p.exited).toBe(0);
    for (const flag of ['--port', '--host', '--id', '--heartbeat-ms', '--grace-ms', '--log-level', '--data', '--metrics-listen', '/metrics']) expect(p.out()).toContain(flag);
  });
});
