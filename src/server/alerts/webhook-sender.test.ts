import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom, systemClock } from '../../core/clock.ts';
import { emptyDirectory } from '../../core/alerts/alert-rule.ts';
import { webhookBodySchema, webhookHeaders, type AlertEpisode } from '../../protocol/alerts.ts';
import { silentLogger } from '../log/logger.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import type { WebhookTarget } from './alerts-config.ts';
import { startWebhookReceiver, type WebhookReceiver } from './test-helpers/webhook-receiver.ts';
import { webhookCovers, WebhookSender } from './webhook-sender.ts';

const secret = 'a-webhook-secret-of-32-characters';
const episode = (over: Partial<AlertEpisode> = {}): AlertEpisode => ({
  id: 'offline/r:r-002/1000',
  rule: 'offline',
  name: 'Restaurant offline',
  severity: 'critical',
  metric: 'offline',
  subject: { kind: 'restaurant', rid: 'r-002' },
  fire: 0,
  clear: 0,
  forMs: 10_000,
  valueAtFire: 1,
  worst: 1,
  value: 1,
  firedAt: 1000,
  resolvedAt: null,
  endedBy: null,
  ...over,
});
const resolved = episode({ value: 0, resolvedAt: 9000, endedBy: 'recovered' });

/** What a receiver should do: recompute the HMAC over the raw body and compare in constant time. */
function verifies(raw: string, header: unknown): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const got = Buffer.from(String(header));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

let receiver: WebhookReceiver | undefined;
let sender: WebhookSender | undefined;
afterEach(async () => {
  await sender?.close();
  await receiver?.close();
  sender = receiver = undefined;
});

const newSender = (o: Partial<ConstructorParameters<typeof WebhookSender>[0]> = {}) =>
  (sender = new WebhookSender({ clock: systemClock(), random: seededRandom(7), logger: silentLogger(), hubId: 'hub-test', backoff: { baseMs: 20, capMs: 80 }, ...o }));

describe('WebhookSender', () => {
  it('delivers exactly one firing and one resolved, in order, signed, with the documented body', async () => {
    receiver = await startWebhookReceiver();
    const target: WebhookTarget = { id: 'ops', url: receiver.url, secret, scope: {}, minSeverity: 'info' };
    const s = newSender();
    s.send('firing', episode(), 'http://pulse.example/restaurants/r-002', [target], emptyDirectory);
    s.send('resolved', resolved, 'http://pulse.example/restaurants/r-002', [target], emptyDirectory);
    await waitFor('two deliveries', () => s.stats().delivered === 2);
    expect(receiver.received).toHaveLength(2);
    const bodies = receiver.received.map((r) => webhookBodySchema.parse(JSON.parse(r.raw)));
    expect(bodies.map((b) => b.status)).toEqual(['firing', 'resolved']);
    expect(bodies[0]).toMatchObject({ version: 1, hub: 'hub-test', link: 'http://pulse.example/restaurants/r-002', alert: { id: 'offline/r:r-002/1000', subject: { rid: 'r-002' } } });
    for (const r of receiver.received) {
      expect(verifies(r.raw, r.headers[webhookHeaders.signature])).toBe(true);
      expect(r.headers['content-type']).toBe('application/json');
    }
    // A body altered in transit does not verify.
    expect(verifies(receiver.received[0]!.raw.replace('r-002', 'r-003'), receiver.received[0]!.headers[webhookHeaders.signature])).toBe(false);
    expect(s.deliveries(episode().id).map((d) => [d.status, d.state, d.attempts.length])).toEqual([
      ['firing', 'delivered', 1],
      ['resolved', 'delivered', 1],
    ]);
  });

  it('with the receiver down, retries with backoff until it is up, and the resolved waits for the firing', async () => {
    // Find a free port, then free it: nothing listens there until the receiver starts.
    const probe = await startWebhookReceiver();
    const port = probe.port;
    await probe.close();
    const target: WebhookTarget = { id: 'ops', url: `http://127.0.0.1:${port}/hook`, secret, scope: {}, minSeverity: 'info' };
    const s = newSender({ maxAttempts: 50 });
    s.send('firing', episode(), null, [target], emptyDirectory);
    s.send('resolved', resolved, null, [target], emptyDirectory);
    await waitFor('three failed attempts', () => (s.deliveries(episode().id)[0]?.attempts.length ?? 0) >= 3);
    expect(s.deliveries(episode().id)[0]).toMatchObject({ state: 'retrying' });
    expect(s.deliveries(episode().id)[1]).toMatchObject({ state: 'queued', attempts: [] });
    // Backoff: at least base (20 ms) between attempts.
    const at = s.deliveries(episode().id)[0]!.attempts.map((a) => a.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(19);
    receiver = await startWebhookReceiver(port);
    receiver.failNext(1, 503);
    await waitFor('both delivered', () => s.stats().delivered === 2, 10_000);
    const statuses = receiver.received.map((r) => (JSON.parse(r.raw) as { status: string }).status);
    // The 503 was retried; a receiver dropping repeats by delivery id sees one firing, one resolved.
    expect(statuses).toEqual(['firing', 'firing', 'resolved']);
    const ids = receiver.received.map((r) => r.headers[webhookHeaders.delivery]);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(2);
    expect(s.deliveries(episode().id)[0]!.attempts.at(-1)).toMatchObject({ outcome: 'HTTP 204' });
  });

  it('a 4xx answer is final (not retried); a scoped webhook hears of its restaurants only', async () => {
    receiver = await startWebhookReceiver();
    receiver.failNext(1, 400);
    const all: WebhookTarget = { id: 'all', url: receiver.url, secret, scope: {}, minSeverity: 'info' };
    const tenant: WebhookTarget = { id: 'tenant', url: receiver.url, secret, scope: { restaurants: ['r-009'] }, minSeverity: 'info' };
    const s = newSender();
    s.send('firing', episode(), null, [all, tenant], emptyDirectory);
    s.send('firing', episode({ id: 'gw/g:gw-1/5', subject: { kind: 'gateway', gw: 'gw-1' } }), null, [tenant], emptyDirectory);
    await waitFor('done', () => s.stats().pending === 0);
    expect(s.stats()).toMatchObject({ failed: 1, delivered: 0, attempts: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it('never blocks: past its bound it drops and counts', () => {
    const target: WebhookTarget = { id: 'ops', url: 'http://127.0.0.1:9/hook', secret, scope: {}, minSeverity: 'info' };
    const s = newSender({ maxQueue: 5, concurrency: 1 });
    // send is synchronous and returns before any request: what it queued is visible at once.
    for (let i = 0; i < 100; i++) s.send('firing', episode({ id: `e${i}` }), null, [target], emptyDirectory);
    expect(s.stats()).toMatchObject({ pending: 5, dropped: 95 });
    expect(s.deliveries('e99')[0]!.state).toBe('dropped');
  });

  it('a webhook covers its scope (restaurants or tags) and severities from its minimum up', () => {
    const dir = { tagsOf: (rid: string) => (rid === 'r-002' ? ['paris'] : []), isOpen: () => true };
    const hook = (over: Partial<WebhookTarget>): WebhookTarget => ({ id: 'h', url: 'http://x', secret, scope: {}, minSeverity: 'info', ...over });
    expect(webhookCovers(hook({ scope: { tags: ['paris'] } }), episode(), dir)).toBe(true);
    expect(webhookCovers(hook({ scope: { tags: ['lyon'] } }), episode(), dir)).toBe(false);
    expect(webhookCovers(hook({ scope: { restaurants: ['r-002'] } }), episode({ subject: { kind: 'fleet' } }), dir)).toBe(false);
    expect(webhookCovers(hook({}), episode({ subject: { kind: 'fleet' } }), dir)).toBe(true);
    expect(webhookCovers(hook({ minSeverity: 'critical' }), episode({ severity: 'warning' }), dir)).toBe(false);
    expect(webhookCovers(hook({ minSeverity: 'warning' }), episode({ severity: 'critical' }), dir)).toBe(true);
  });
});
