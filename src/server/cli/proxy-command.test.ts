/**
 * `pulse proxy` and `pulse start --upstream` as a user runs them: real child processes through
 * bin/pulse.js in front of the FastAPI gateway (examples/fastapi-gateway), a terminal connecting
 * through them with its token in `?token=`, and the hub showing that terminal. Tokens stay out of
 * both processes' logs; SIGTERM stops each cleanly.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { signTerminalToken } from '../auth/tokens.ts';
import { requireFastApi, startFastApiGateway, type FastApiGateway } from '../test-helpers/fastapi-gateway.ts';
import { cliChildren, poll } from './test-helpers/cli-child.ts';

const cli = cliChildren();
afterEach(cli.cleanup);
const gatewaySecret = 'cli-fastapi-gateway-secret-0123';
const skip = requireFastApi();
let upstream: FastApiGateway | undefined;
afterAll(async () => upstream?.stop());

/** A terminal through the proxy: open, one ping answered; returns once the pong came. */
async function terminal(url: string, rid: string, tid: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url}/ws?token=${signTerminalToken(gatewaySecret, tid, rid)}`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const pong = new Promise((resolve) => ws.once('message', resolve));
  ws.send(JSON.stringify({ type: 'ping', seq: 0, timestamp: Date.now() }));
  expect(JSON.parse(String(await pong))).toMatchObject({ type: 'pong', seq: 0 });
  return ws;
}

describe.skipIf(skip)('pulse proxy / pulse start --upstream (against the FastAPI gateway)', () => {
  it('pulse proxy reports to a hub\'s /ingest with a gateway token: the hub shows the terminal', async () => {
    upstream ??= await startFastApiGateway({ secret: gatewaySecret });
    const data = cli.tempDir('pulse-proxy-cli-');
    const hub = cli.run(['hub', '--port', '0', '--data', data, '--log-level', 'warn']);
    const [, base, viewer] = await hub.waitFor(/dashboard +(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/);
    const tokenRun = cli.run(['token', 'gateway', '--id', 'gw-fynlo-1', '--data', data]);
    expect(await tokenRun.exited).toBe(0);
    const gwToken = tokenRun.out().trim();

    const proxy = cli.run(['proxy', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--upstream', upstream.url, '--hub', base!, '--token', gwToken, '--log-level', 'debug']);
    const [, url] = await proxy.waitFor(/listening on (ws:\/\/127\.0\.0\.1:\d+)/);
    expect(proxy.out()).toContain('as gw-fynlo-1');
    // Its /metrics on a listener of its own; the terminals' port answers 404 (issue 18, item 13).
    const [, proxyMetrics] = await proxy.waitFor(/metrics +(http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    expect(await (await fetch(proxyMetrics!)).text()).toMatch(/pulse_proxy_upgrades_total/);
    expect((await fetch(`${url!.replace(/^ws:/, 'http:')}/metrics`)).status).toBe(404);
    const ws = await terminal(url!, 'r-777', 'till-1');
    const api = async (path: string) => (await fetch(base + path, { headers: { authorization: `Bearer ${viewer}` } })).json();
    const seen = await poll('r-777 connected on the hub', () => api('/api/restaurants'), (b) => b.restaurants?.some((r: { rid: string; connections: number }) => r.rid === 'r-777' && r.connections === 1));
    expect(seen.restaurants.map((r: { rid: string }) => r.rid)).toEqual(['r-777']);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/pulse_hub_ingest_probes\{[^}]*\} 1/);

    ws.close(1000, 'done');
    await poll('r-777 closed on the hub', () => api('/api/restaurants'), (b) => b.restaurants?.some((r: { rid: string; connections: number }) => r.rid === 'r-777' && r.connections === 0));
    proxy.child.kill('SIGTERM');
    expect(await proxy.exited).toBe(0);
    expect(proxy.out()).toContain('proxy stopped');
    for (const secret of [gwToken, gwToken.split('.')[2]!]) expect(proxy.err()).not.toContain(secret);
    expect(proxy.err()).not.toMatch(/token=ey/);
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  });

  it('pulse start --upstream: the proxy on --gateway-port, the fleet on the dashboard, stopped cleanly', async () => {
    upstream ??= await startFastApiGateway({ secret: gatewaySecret });
    const data = cli.tempDir('pulse-watch-cli-');
    const p = cli.run(['start', '--upstream', upstream.url, '--port', '0', '--gateway-port', '0', '--metrics-listen', '127.0.0.1:0', '--data', data, '--no-build', '--log-level', 'info']);
    const [, base, viewer] = await p.waitFor(/dashboard +(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/);
    const [, url] = await p.waitFor(/terminals +connect to (ws:\/\/127\.0\.0\.1:\d+)/);
    const [, proxyMetrics] = await p.waitFor(/proxy (http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    const ws = await terminal(url!, 'r-100', 'till-1');
    expect(await (await fetch(proxyMetrics!)).text()).toMatch(/pulse_proxy_connections\{[^}]*\} 1/);
    expect((await fetch(`${url!.replace(/^ws:/, 'http:')}/metrics`)).status).toBe(404);
    const fleet = await poll('one connection', async () => (await fetch(`${base}/api/fleet`, { headers: { authorization: `Bearer ${viewer}` } })).json(), (f) => f.totals?.connections === 1);
    expect(fleet.totals.restaurants).toBe(1);
    ws.terminate();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('stopped cleanly.');
    expect(p.err()).not.toContain(viewer);
    expect(p.err()).not.toMatch(/token=ey/);
  });

  it('refuses what cannot work, with a clear message', async () => {
    const noUpstream = cli.run(['proxy']);
    expect(await noUpstream.exited).not.toBe(0);
    expect(noUpstream.err()).toMatch(/--upstream/);
    const http = cli.run(['proxy', '--upstream', 'http://127.0.0.1:1/ws']);
    expect(await http.exited).not.toBe(0);
    expect(http.err()).toMatch(/ws:\/\/ or wss:\/\//);
    const viewerAsToken = cli.run(['proxy', '--upstream', 'ws://127.0.0.1:1/ws', '--hub', 'http://127.0.0.1:1', '--token', 'not-a-jwt']);
    expect(await viewerAsToken.exited).not.toBe(0);
    expect(viewerAsToken.err()).toMatch(/not a gateway token/);
    const help = cli.run(['proxy', '--help']);
    expect(await help.exited).toBe(0);
    expect(help.out()).toMatch(/1014/);
    expect(help.out()).toMatch(/--secret/);
    expect(help.out()).toMatch(/--metrics-listen <host:port>[\s\S]*127\.0\.0\.1:7402/);
  });
});
