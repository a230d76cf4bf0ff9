/**
 * Every Pulse `/metrics` passes `promtool check metrics` (Prometheus' own linter, from Debian's
 * `prometheus` package): the reference gateway, the hub and the proxy, each with process metrics
 * on as the CLI runs them, and with traffic so labelled series exist. Under CI=true promtool is
 * required (.ci/run installs it); elsewhere its absence skips with a message.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { signTerminalToken } from '../auth/tokens.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { startGateway, type Gateway } from '../gateway/gateway.ts';
import { startHub, type Hub } from '../hub/hub.ts';
import { startProxy, type Proxy } from '../proxy/proxy-server.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { isCI } from '../test-helpers/services.ts';

const secret = 'promtool-test-secret-0123456789';

function promtoolMissing(): string | null {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (!probe.error && probe.status === 0) return null;
  const why = 'promtool not found (apt-get install prometheus)';
  if (isCI()) throw new Error(`${why}: required under CI=true`);
  process.stderr.write(`[skip] ${why}: skipping the promtool checks\n`);
  return why;
}
const skip = promtoolMissing();

function check(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

let gateway: Gateway;
let hub: Hub;
let proxy: Proxy;
let store: Store;
const tmp = makeTempDir('pulse-promtool-');

afterAll(async () => {
  await proxy?.close();
  await gateway?.close();
  await hub?.close();
  await store?.close();
  tmp.remove();
});

describe.skipIf(skip)('promtool check metrics', () => {
  it('the gateway, the hub and the proxy each pass, with traffic through them', async () => {
    ({ store } = await openSqliteStore({ dataDir: tmp.dir }));
    hub = await startHub({ secret, port: 0, bus: createMemoryBus(), store, staticDir: `${tmp.dir}/none`, processMetrics: true });
    gateway = await startGateway({ secret, port: 0, processMetrics: true });
    proxy = await startProxy({ upstream: gateway.url, port: 0, processMetrics: true });
    const ws = new WebSocket(`${proxy.url}/ws?token=${signTerminalToken(secret, 'till-1', 'r-001')}`);
    await new Promise((resolve, reject) => ws.once('message', resolve).once('error', reject));
    ws.close(1000);
    await new Promise((resolve) => ws.once('close', resolve));

    const texts = { gateway: await gateway.metricsText(), hub: await hub.metricsText(), proxy: await proxy.metricsText() };
    for (const [who, text] of Object.entries(texts)) {
      expect(text, who).toContain('process_cpu_user_seconds_total');
      const r = check(text);
      expect(r.output, `${who}: promtool says`).toBe('');
      expect(r.status, who).toBe(0);
    }
    expect(texts.gateway).toMatch(/pulse_gateway_/);
    expect(texts.proxy).toMatch(/pulse_proxy_closes_total\{[^}]*code="1000"/);
  });
});
