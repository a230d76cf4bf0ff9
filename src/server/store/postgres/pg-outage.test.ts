/**
 * PostgreSQL going away under a running store: every connection cut and new ones refused (a TCP
 * relay in front of the real server, so the shared server itself stays up). Writes fail
 * STORE_UNREACHABLE and stay queued; once the server is back they land, each exactly once.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../../core/fake-clock.ts';
import { describePostgres, pgAdmin } from '../test-helpers/engines.ts';
import { T0, openEvent } from '../test-helpers/fixtures.ts';
import { createWriteQueue } from '../write-queue.ts';
import { openPostgresStore } from './pg-store.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A relay to 127.0.0.1:5432 that can be cut (all connections dropped, new ones refused) and restored on the same port. */
async function relay() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(5432, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cut: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
  };
}

describePostgres('PostgreSQL store when the server goes away', () => {
  it('fails writes STORE_UNREACHABLE, keeps them queued, and writes each exactly once when it is back', async () => {
    const r = await relay();
    cleanups.push(r.close);
    const schema = `pulse_test_${crypto.randomBytes(6).toString('hex')}`;
    cleanups.push(async () => void (await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)));
    const clock = new FakeClock(T0);
    const { store } = await openPostgresStore({ url: `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:${r.port}/test`, schema, clock, connectTimeoutMs: 1_000 });
    cleanups.push(() => store.close());
    const errors: string[] = [];
    const queue = createWriteQueue({ store, clock, retryBaseMs: 100, onError: (e) => errors.push(e.code) });

    const before = [openEvent(T0, 'r-001-t1'), openEvent(T0 + 1, 'r-001-t2')];
    queue.enqueueEvents(before);
    await queue.flush();

    await r.cut();
    const during = [openEvent(T0 + 2, 'r-001-t3'), openEvent(T0 + 3, 'r-001-t4')];
    queue.enqueueEvents(during);
    await expect(queue.flush()).rejects.toMatchObject({ code: 'STORE_UNREACHABLE' });
    expect(queue.stats()).toMatchObject({ queuedEvents: 2, consecutiveFailures: 1, lastError: { code: 'STORE_UNREACHABLE' } });
    await expect(store.readEvents({ from: 0, to: Infinity })).rejects.toMatchObject({ code: 'STORE_UNREACHABLE' });

    await r.restore();
    await queue.flush();
    expect(queue.stats()).toMatchObject({ queued: 0, consecutiveFailures: 0 });
    expect(errors).toEqual(['STORE_UNREACHABLE']);
    expect(await store.readEvents({ from: 0, to: Infinity })).toEqual([...before, ...during]);
    await queue.close();
  });
});
