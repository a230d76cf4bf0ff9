/**
 * A port nobody listens on, found by listening on port 0. The hub must come back on the *same*
 * port after a kill -9 (the page reconnects to the address it was loaded from), so the harness
 * picks its ports up front instead of letting each process choose its own.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Distinct free ports (held open together, so the kernel cannot hand out one twice). */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, host, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}
