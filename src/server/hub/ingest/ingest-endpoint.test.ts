/**
 * `/ingest` on a real hub, over real sockets: what a probe in any language meets. Batches reach
 * the fleet (the API shows them), refusals have stable codes and close codes, and the roles hold —
 * a gateway token writes only for its own id and reads nothing, a viewer token writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { INGEST_VERSION, ingestSubprotocol, type IngestAnswer } from '../../../protocol/ingest.ts';
import { signGatewayToken, signViewerToken } from '../../auth/tokens.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { waitFor } from '../../test-helpers/wait-for.ts';
import { startHub, type Hub } from '../hub.ts';

const secret = 'ingest-endpoint-secret-0123456789';
const gwToken = signGatewayToken(secret, 'gw-py');
const viewer = signViewerToken(secret, { sub: 'sam', role: 'support' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<Hub> {
  const tmp = makeTempDir('pulse-ingest-');
  cleanups.push(tmp.remove);
  const { store } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  const hub = await startHub({ secret, port: 0, bus: createMemoryBus(), store, staticDir: `${tmp.dir}/none`, tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50 });
  cleanups.push(() => hub.close());
  return hub;
}

type Probe = { ws: WebSocket; answers: IngestAnswer[]; closed: Promise<{ code: number; reason: string }>; opened: Promise<void> };

function probe(hub: Hub, token: string | undefined): Probe {
  const protocols = token === undefined ? [ingestSubprotocol] : [ingestSubprotocol, `bearer.${token}`];
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/ingest`, protocols);
  const answers: IngestAnswer[] = [];
  ws.on('message', (d) => answers.push(JSON.parse(String(d)) as IngestAnswer));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  cleanups.push(() => ws.terminate());
  return { ws, answers, closed, opened };
}

const now = () => Date.now();
const batch = (seq: number, events: unknown[], gw = 'gw-py') => JSON.stringify({ v: INGEST_VERSION, gw, run: 1000, seq, t: now(), events });

describe('/ingest', () => {
  it('a probe\'s batches reach the fleet: the API shows its restaurant and terminal', async () => {
    const hub = await setup();
    const p = probe(hub, gwToken);
    await p.opened;
    expect(p.ws.protocol).toBe(ingestSubprotocol);
    const t = now();
    p.ws.send(batch(1, [{ type: 'open', t, conn: '1', rid: 'r-042', tid: 'till-1', via: 'query' }, { type: 'ping', t: t + 5, conn: '1', rtt: 8 }]));
    await waitFor('the ack', () => p.answers.length === 1);
    expect(p.answers[0]).toEqual({ type: 'ack', seq: 1, accepted: 2, refused: [] });
    // The ingest folds batches into a frame on the next whole second; the API shows it once applied.
    let body: { restaurants: { rid: string; connections: number }[] } = { restaurants: [] };
    for (let i = 0; i < 40 && !body.restaurants.some((r) => r.rid === 'r-042'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = await (await fetch(`${hub.url}/api/restaurants`, { headers: { authorization: `Bearer ${viewer}` } })).json();
    }
    expect(body.restaurants.find((r) => r.rid === 'r-042')).toMatchObject({ connections: 1 });
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/pulse_hub_ingest_events_total\{[^}]*gateway="gw-py"[^}]*\} 2/);
  });

  it('refuses bad events with codes, keeps the rest; duplicates and late batches are answered as such', async () => {
    const hub = await setup();
    const p = probe(hub, gwToken);
    await p.opened;
    const t = now();
    p.ws.send(batch(1, [{ type: 'open', t, conn: '1', rid: 'r-001', tid: 'till-1', via: 'query' }, { type: 'ping', t, conn: '1', rtt: Infinity }, { type: 'ping', t, conn: '1', rtt: 1e9 }, { type: 'ping', t, conn: '1', rtt: 3 }]));
    p.ws.send(batch(1, [{ type: 'ping', t, conn: '1' }]));
    p.ws.send(batch(3, []));
    p.ws.send(batch(2, [{ type: 'ping', t: t + 1, conn: '1' }]));
    p.ws.send('not json');
    await waitFor('five answers', () => p.answers.length === 5);
    expect(p.answers[0]).toMatchObject({ type: 'ack', accepted: 2, refused: [{ i: 1, code: 'INVALID_MESSAGE' }, { i: 2, code: 'INVALID_MESSAGE' }] });
    expect(p.answers[1]).toMatchObject({ type: 'ack', seq: 1, duplicate: true, accepted: 0 });
    expect(p.answers[2]).toMatchObject({ type: 'ack', seq: 3 });
    expect(p.answers[3]).toMatchObject({ type: 'ack', seq: 2, late: true, accepted: 1 });
    expect(p.answers[4]).toMatchObject({ type: 'error', code: 'NOT_JSON' });
    expect(p.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('a frame over the batch limit closes 1009', async () => {
    const hub = await setup();
    const p = probe(hub, gwToken);
    await p.opened;
    p.ws.send('x'.repeat((1 << 20) + 10));
    expect((await p.closed).code).toBe(1009);
  });

  it('roles: no token 4001, a viewer token 4003, a batch for another gateway id refused and closed 4003', async () => {
    const hub = await setup();
    expect((await probe(hub, undefined).closed).code).toBe(4001);
    expect((await probe(hub, 'not.a.token').closed).code).toBe(4001);
    expect((await probe(hub, viewer).closed).code).toBe(4003);
    const p = probe(hub, gwToken);
    await p.opened;
    p.ws.send(batch(1, [], 'gw-someone-else'));
    expect((await p.closed).code).toBe(4003);
    expect(p.answers).toEqual([expect.objectContaining({ type: 'error', code: 'WRONG_GATEWAY' })]);
  });

  it('a gateway token reads nothing: /api answers 401 and /live closes 4001', async () => {
    const hub = await setup();
    expect((await fetch(`${hub.url}/api/restaurants`, { headers: { authorization: `Bearer ${gwToken}` } })).status).toBe(401);
    const live = new WebSocket(`${hub.url.replace('http', 'ws')}/live`, ['pulse.live.v2', `bearer.${gwToken}`]);
    cleanups.push(() => live.terminate());
    const code = await new Promise<number>((resolve) => live.on('close', (c) => resolve(c)));
    expect(code).toBe(4001);
  });

  it('POST /ingest takes NDJSON, one answer a line; roles and size are checked', async () => {
    const hub = await setup();
    const t = now();
    const body = [batch(1, [{ type: 'open', t, conn: 'h1', rid: 'r-007', tid: 'till-9', via: 'header' }]), batch(2, [{ type: 'ping', t: t + 1, conn: 'h1' }, { type: 'ack', t, conn: 'nope', seq: 1, latency: 3 }])].join('\n') + '\n';
    const res = await fetch(`${hub.url}/ingest`, { method: 'POST', body, headers: { authorization: `Bearer ${gwToken}`, 'content-type': 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const answers = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as IngestAnswer);
    expect(answers).toEqual([
      { type: 'ack', seq: 1, accepted: 1, refused: [] },
      { type: 'ack', seq: 2, accepted: 1, refused: [{ i: 1, code: 'UNKNOWN_CONNECTION', message: expect.any(String) }] },
    ]);
    const asViewer = await fetch(`${hub.url}/ingest`, { method: 'POST', body, headers: { authorization: `Bearer ${viewer}` } });
    expect(asViewer.status).toBe(403);
    expect(((await asViewer.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect((await fetch(`${hub.url}/ingest`, { method: 'POST', body })).status).toBe(401);
    const huge = await fetch(`${hub.url}/ingest`, { method: 'POST', body: 'x'.repeat(9 << 20), headers: { authorization: `Bearer ${gwToken}` } });
    expect(huge.status).toBe(413);
  });
});
