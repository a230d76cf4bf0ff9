/**
 * A reader that stops reading must not make the proxy buffer without bound: once the slow side holds
 * more than highWaterBytes, the proxy stops reading the fast side, whose own writes then stall. When
 * the reader resumes, everything arrives, in order, nothing lost. Both directions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { metricValue } from '../gateway/test-helpers/test-terminal.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import { startProxy } from './proxy-server.ts';
import { startEchoUpstream } from './test-helpers/echo-upstream.ts';
import { openTerminal } from './test-helpers/raw-terminal.ts';

const highWaterBytes = 256 * 1024;
const chunkBytes = 64 * 1024;
/** What the sender would push if nothing pushed back: far beyond what the kernel buffers of the path hold. */
const capBytes = 512 * 2 ** 20;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** Sends numbered chunks while the sender's own buffer stays small, i.e. for as long as the path accepts them. */
function flood(sender: WebSocket): { readonly queued: number; readonly flushed: number; stop(): void } {
  const state = { queued: 0, flushed: 0, stopped: false, stop: () => void (state.stopped = true) };
  let n = 0;
  const pump = (): void => {
    while (!state.stopped && sender.bufferedAmount < 2 * chunkBytes && state.queued < capBytes && sender.readyState === sender.OPEN) {
      const chunk = Buffer.alloc(chunkBytes, n & 0xff);
      chunk.writeUInt32BE(n++, 0);
      state.queued += chunkBytes;
      sender.send(chunk, { binary: true }, () => {
        state.flushed += chunkBytes;
        pump();
      });
    }
  };
  pump();
  return state;
}

/** A check that holds once `read()` has moved and then stayed put for `quietMs`: a stall, not a pause between writes. */
function quietFor(read: () => number, quietMs: number): () => boolean {
  let last = -1;
  let since = Date.now();
  return () => {
    const v = read();
    if (v !== last) {
      last = v;
      since = Date.now();
      return false;
    }
    return v > 0 && Date.now() - since >= quietMs;
  };
}

/** Counts what arrives and checks the numbering. */
function count(receiver: WebSocket): { bytes: number; inOrder: boolean } {
  const state = { bytes: 0, inOrder: true };
  let next = 0;
  receiver.on('message', (data: Buffer) => {
    if (data.readUInt32BE(0) !== next++) state.inOrder = false;
    state.bytes += data.length;
  });
  return state;
}

describe('proxy backpressure', () => {
  for (const dir of ['out', 'in'] as const) {
    it(`${dir === 'out' ? 'a terminal' : 'an upstream'} that stops reading stalls the ${dir === 'out' ? 'upstream' : 'terminal'}'s writes; the proxy holds ≤ highWaterBytes + a chunk`, async () => {
      const upstream = await startEchoUpstream({ echo: false });
      const proxy = await startProxy({ upstream: upstream.url, port: 0, highWaterBytes });
      cleanup.push(() => upstream.close(), () => proxy.close());
      const t = openTerminal(`${proxy.url}/ws`);
      await t.opened;
      const session = await upstream.session(0);
      const [sender, receiver] = dir === 'out' ? [session.ws, t.ws] : [t.ws, session.ws];
      const got = count(receiver);
      receiver.pause();

      const sent = flood(sender);
      // The sender's buffer only grows once nothing downstream reads: kernel buffers full, proxy paused.
      await waitFor('the sender stalls', quietFor(() => sent.flushed, 300), 20_000);
      const stalledAt = sent.flushed;
      const metrics = await proxy.metricsText();
      expect(metricValue(metrics, 'pulse_proxy_backpressure_pauses_total', { direction: dir })).toBeGreaterThanOrEqual(1);
      expect(metricValue(metrics, 'pulse_proxy_buffered_bytes')).toBeLessThanOrEqual(highWaterBytes + 2 * chunkBytes);
      // What left the sender is what the kernel buffers along the path hold, nowhere near the cap.
      expect(stalledAt).toBeLessThan(capBytes / 2);
      expect(got.bytes).toBe(0);

      sent.stop();
      receiver.resume();
      await waitFor('everything arrives', () => got.bytes === sent.queued, 20_000);
      expect(got.inOrder).toBe(true);
      expect(sent.queued).toBeGreaterThan(stalledAt);
    });
  }
});
