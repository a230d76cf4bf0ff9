/**
 * The ingest client on a fake clock: batches every second (empty ones too), a bounded buffer that
 * drops the oldest and says so, a busy hub answered by resending the same batch later, and a
 * reconnect that resends what was never acknowledged and re-announces open connections.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import type { IngestAnswer, RawEvent } from '../../protocol/ingest.ts';
import { createIngestService } from '../hub/ingest/ingest-service.ts';
import { createIngestClient, type IngestTransport } from './ingest-client.ts';
import { inProcessTransport } from './ingest-transports.ts';

const T0 = 1_700_000_000_000;
const open = (conn: string): RawEvent => ({ type: 'open', t: T0, conn, rid: 'r-001', tid: `t-${conn}`, via: 'query' });
const flushMicrotasks = () => new Promise((r) => setTimeout(r, 0));

/** A transport that records what it was asked to send and answers only when told. */
function manualTransport() {
  const sent: { seq: number; events: number; dropped?: number }[] = [];
  let up = true;
  let h: Parameters<IngestTransport['start']>[0] | null = null;
  const transport: IngestTransport = {
    send(text) {
      if (!up) return false;
      const b = JSON.parse(text) as { seq: number; events: unknown[]; dropped?: number };
      sent.push({ seq: b.seq, events: b.events.length, ...(b.dropped ? { dropped: b.dropped } : {}) });
      return true;
    },
    connected: () => up,
    start: (handlers) => void (h = handlers),
    close: async () => {},
  };
  return { sent, transport, answer: (a: IngestAnswer) => h!.answer(a), setUp: (v: boolean) => ((up = v), v && h!.ready()) };
}

describe('ingest client', () => {
  it('delivers to a hub in process: the hub acks every batch and knows the connection', async () => {
    const clock = new FakeClock(T0);
    const service = createIngestService({ clock, heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000 });
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport: inProcessTransport(service, 'gw-p') });
    client.push(open('a'));
    client.push({ type: 'ping', t: T0 + 10, conn: 'a', rtt: 5 });
    clock.advance(1000);
    await flushMicrotasks();
    expect(client.stats()).toMatchObject({ batchesSent: 1, batchesAcked: 1, eventsSent: 2, eventsRefused: 0, unacked: 0 });
    expect(service.stats().get('gw-p')).toMatchObject({ events: 2, connections: 1 });
    clock.advance(1000);
    await flushMicrotasks();
    expect(client.stats().batchesAcked).toBe(2); // the empty one: the probe is alive
  });

  it('a full buffer drops the oldest events, counts them and tells the hub with the next batch', () => {
    const clock = new FakeClock(T0);
    const m = manualTransport();
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport: m.transport, maxBufferedEvents: 3, maxUnacked: 1 });
    clock.advance(1000); // batch 1 goes out, unanswered: no more batches until it is
    for (const c of ['a', 'b', 'c', 'd', 'e']) client.push(open(c));
    expect(client.stats()).toMatchObject({ buffered: 3, dropped: 2 });
    m.answer({ type: 'ack', seq: 1, accepted: 0, refused: [] });
    clock.advance(1000);
    expect(m.sent.at(-1)).toEqual({ seq: 2, events: 3, dropped: 2 });
  });

  it('busy: the same batch again after retryAfterMs, and no new batch meanwhile', () => {
    const clock = new FakeClock(T0);
    const m = manualTransport();
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport: m.transport });
    client.push(open('a'));
    clock.advance(1000);
    m.answer({ type: 'busy', seq: 1, retryAfterMs: 2500 });
    client.push(open('b'));
    clock.advance(2000);
    expect(m.sent.map((s) => s.seq)).toEqual([1]);
    clock.advance(500);
    expect(m.sent.map((s) => s.seq)).toEqual([1, 1]);
    m.answer({ type: 'ack', seq: 1, accepted: 1, refused: [] });
    clock.advance(1000);
    expect(m.sent.at(-1)).toEqual({ seq: 2, events: 1 });
  });

  it('after a reconnect: the open connections, resumed, at the head of the first resent batch, then the rest', () => {
    const clock = new FakeClock(T0);
    const m = manualTransport();
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport: m.transport, openConnections: () => [{ ...open('a'), resumed: true } as RawEvent] });
    client.push(open('a'));
    clock.advance(1000);
    m.answer({ type: 'ack', seq: 1, accepted: 1, refused: [] });
    m.setUp(false);
    clock.advance(2000); // batches 2 and 3 cannot be sent
    m.setUp(true);
    // Batch 2 (empty) now carries the re-announcement; no batch of its own, no newer seq ahead of the backlog.
    expect(m.sent.slice(1)).toEqual([{ seq: 2, events: 1 }, { seq: 3, events: 0 }]);
    expect(client.stats().unacked).toBe(2);
  });

  it('a connection whose open is still unacknowledged is not re-announced: its open is resent', () => {
    const clock = new FakeClock(T0);
    const m = manualTransport();
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport: m.transport, openConnections: () => [{ ...open('a'), resumed: true } as RawEvent] });
    client.push(open('a'));
    clock.advance(1000);
    m.setUp(false);
    m.setUp(true);
    expect(m.sent).toEqual([{ seq: 1, events: 1 }, { seq: 1, events: 1 }]);
  });

  it('a restarted hub gets the backlog whole: open ones and one closed during the outage are known before their events', async () => {
    const clock = new FakeClock(T0);
    const hubOpts = { clock, heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000 };
    let service = createIngestService(hubOpts);
    let up = true;
    let h: Parameters<IngestTransport['start']>[0] | null = null;
    const transport: IngestTransport = {
      send: (text) => up && (queueMicrotask(() => h!.answer(service.accept('gw-p', text))), true),
      connected: () => up,
      start: (handlers) => void (h = handlers),
      close: async () => {},
    };
    const live = new Set(['a', 'b']);
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport, openConnections: () => [...live].map((c) => ({ ...open(c), resumed: true }) as RawEvent) });
    client.push(open('a'));
    client.push(open('b'));
    clock.advance(1000);
    await flushMicrotasks();
    expect(client.stats().unacked).toBe(0);
    up = false;
    service.close();
    service = createIngestService(hubOpts); // the hub restarted: it knows no connection
    client.push({ type: 'ping', t: T0 + 1500, conn: 'a', rtt: 10 });
    client.push({ type: 'ping', t: T0 + 1500, conn: 'b', rtt: 10 });
    client.push({ type: 'close', t: T0 + 1600, conn: 'b', code: 1000, by: 'terminal' });
    live.delete('b');
    clock.advance(1000); // the backlog: one batch, unsent
    up = true;
    h!.ready();
    await flushMicrotasks();
    const st = service.stats().get('gw-p')!;
    expect(st.refusedByCode).toEqual({});
    expect(st.events).toBe(2 + 3); // two resumed opens, then the backlog's three events
    expect(st.connections).toBe(1);
    expect(client.stats().unacked).toBe(0);
    service.close();
  });

  it('a connection whose own open still waits in the buffer is not re-announced before it', () => {
    const clock = new FakeClock(T0);
    const m = manualTransport();
    m.setUp(false);
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport: m.transport, openConnections: () => [{ ...open('a'), resumed: true } as RawEvent, { ...open('b'), resumed: true } as RawEvent] });
    client.push(open('b'));
    m.setUp(true);
    // Only 'a' is re-announced (its open went out before); 'b' goes with its own open, next batch.
    expect(m.sent).toEqual([{ seq: 1, events: 1 }]);
    clock.advance(1000);
    expect(m.sent.at(-1)).toEqual({ seq: 2, events: 1 });
  });

  it('push never throws, even after close', async () => {
    const clock = new FakeClock(T0);
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport: manualTransport().transport });
    await client.close(0);
    expect(() => client.push(open('a'))).not.toThrow();
  });

  it('close with goodbye: the batch that leaves nothing waiting says it, and only that one', async () => {
    const clock = new FakeClock(T0);
    const texts: string[] = [];
    const transport: IngestTransport = { send: (t) => (texts.push(t), true), connected: () => false, start: () => {}, close: async () => {} };
    const client = createIngestClient({ gatewayId: 'gw-p', clock, transport, batchMax: 2 });
    for (const c of ['a', 'b', 'c']) client.push(open(c));
    await client.close(0, { goodbye: true });
    const batches = texts.map((t) => JSON.parse(t) as { seq: number; events: unknown[]; goodbye?: true });
    // Three events in batches of two: the second, last batch says goodbye.
    expect(batches.map((b) => [b.seq, b.events.length, b.goodbye])).toEqual([[1, 2, undefined], [2, 1, true]]);
  });

  it('close without goodbye (the default) sends none; with nothing buffered, the goodbye rides an empty batch', async () => {
    const clock = new FakeClock(T0);
    const texts: string[] = [];
    const transport: IngestTransport = { send: (t) => (texts.push(t), true), connected: () => false, start: () => {}, close: async () => {} };
    await createIngestClient({ gatewayId: 'gw-p', clock, transport }).close(0);
    await createIngestClient({ gatewayId: 'gw-q', clock, transport }).close(0, { goodbye: true });
    expect(texts.map((t) => JSON.parse(t) as { gw: string; events: unknown[]; goodbye?: true }).map((b) => [b.gw, b.events.length, b.goodbye])).toEqual([['gw-p', 0, undefined], ['gw-q', 0, true]]);
  });
});
