/**
 * Webhook deliveries (docs/alerts.md): every firing and resolved alert is POSTed as JSON
 * (src/protocol/alerts.ts `webhookBodySchema`) to each webhook whose scope and severity cover it,
 * signed `x-pulse-signature: sha256=<HMAC-SHA256 of the body>`.
 *
 * Never on the hub's live path: `send` only queues (bounded; past the bound new deliveries are
 * dropped, counted and logged) and returns. Failures — a network error, a timeout, 408, 429 or a
 * 5xx — are retried with core's backoff (exponential, jitter after the cap); any other answer is
 * final. An episode's `resolved` waits for its `firing` to be done with, so a receiver never sees
 * them out of order. Every attempt goes into a delivery log kept per alert episode.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { backoffDelay, type BackoffPolicy } from '../../core/backoff.ts';
import type { Clock, Random } from '../../core/clock.ts';
import { alertSeverities, webhookHeaders, type AlertEpisode, type WebhookBody } from '../../protocol/alerts.ts';
import type { RestaurantDirectory } from '../../core/alerts/alert-rule.ts';
import type { Logger } from '../log/logger.ts';
import type { WebhookTarget } from './alerts-config.ts';

export type DeliveryState = 'queued' | 'retrying' | 'delivered' | 'failed' | 'dropped';

export interface DeliveryRecord {
  id: string;
  webhook: string;
  episode: string;
  status: 'firing' | 'resolved';
  state: DeliveryState;
  /** `httpStatus` null: no answer (network error, timeout); `outcome` says what happened either way. */
  attempts: DeliveryAttempt[];
  /** While retrying: when the next attempt is due. */
  nextAttemptAt: number | null;
}

export type DeliveryAttempt = { at: number; httpStatus: number | null; outcome: string };

export interface WebhookSenderOptions {
  clock: Clock;
  random: Random;
  logger: Pick<Logger, 'warn' | 'info'>;
  hubId: string;
  /** Default 1000 deliveries not yet done. */
  maxQueue?: number;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  /** Default 8 attempts, then the delivery is `failed`. */
  maxAttempts?: number;
  /** Default 1 s → 60 s. */
  backoff?: Partial<BackoffPolicy>;
  /** Per request; default 5000 ms. */
  timeoutMs?: number;
  /** Episodes whose delivery log is kept; default 1000. */
  logEpisodes?: number;
}

export interface WebhookStats {
  pending: number;
  inFlight: number;
  delivered: number;
  failed: number;
  dropped: number;
  attempts: number;
}

interface Job {
  record: DeliveryRecord;
  target: WebhookTarget;
  body: string;
  /** The firing delivery a resolved one waits for. */
  after?: Job;
  waiting: Job[];
  done: boolean;
}

const severityRank = (s: string) => alertSeverities.indexOf(s as (typeof alertSeverities)[number]);

export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function webhookCovers(target: WebhookTarget, episode: AlertEpisode, dir: RestaurantDirectory): boolean {
  if (severityRank(episode.severity) < severityRank(target.minSeverity)) return false;
  const { restaurants, tags } = target.scope;
  if (restaurants === undefined && tags === undefined) return true;
  // A scoped webhook (a tenant's) hears of its restaurants only: never of gateways or Pulse itself.
  if (episode.subject.kind !== 'restaurant') return false;
  const rid = episode.subject.rid;
  return (restaurants?.includes(rid) ?? false) || (tags !== undefined && dir.tagsOf(rid).some((t) => tags.includes(t)));
}

export class WebhookSender {
  private readonly o: Required<Omit<WebhookSenderOptions, 'backoff'>> & { backoff: Partial<BackoffPolicy> };
  private readonly ready: Job[] = [];
  private readonly firingJobs = new Map<string, Job>();
  private readonly log = new Map<string, DeliveryRecord[]>();
  private readonly timers = new Set<ReturnType<Clock['setTimeout']>>();
  private readonly inFlight = new Set<Promise<void>>();
  private pending = 0;
  private closed = false;
  private readonly counts = { delivered: 0, failed: 0, dropped: 0, attempts: 0 };

  constructor(options: WebhookSenderOptions) {
    this.o = { maxQueue: 1000, concurrency: 4, maxAttempts: 8, timeoutMs: 5000, logEpisodes: 1000, ...options, backoff: { baseMs: 1000, capMs: 60_000, ...options.backoff } };
  }

  /** Queues the deliveries of one transition; returns at once. */
  send(status: 'firing' | 'resolved', episode: AlertEpisode, link: string | null, targets: readonly WebhookTarget[], dir: RestaurantDirectory): void {
    if (this.closed) return;
    for (const target of targets) {
      if (!webhookCovers(target, episode, dir)) continue;
      const body: WebhookBody = { version: 1, status, alert: episode, link, hub: this.o.hubId, sentAt: this.o.clock.now() };
      const record: DeliveryRecord = { id: randomUUID(), webhook: target.id, episode: episode.id, status, state: 'queued', attempts: [], nextAttemptAt: null };
      this.remember(record);
      if (this.pending >= this.o.maxQueue) {
        record.state = 'dropped';
        this.counts.dropped++;
        this.o.logger.warn({ webhook: target.id, episode: episode.id, status }, 'alerts: webhook queue full, delivery dropped');
        continue;
      }
      this.pending++;
      const key = `${target.id}|${episode.id}`;
      const job: Job = { record, target, body: JSON.stringify(body), waiting: [], done: false };
      if (status === 'firing') this.firingJobs.set(key, job);
      const after = status === 'resolved' ? this.firingJobs.get(key) : undefined;
      if (status === 'resolved') this.firingJobs.delete(key);
      if (after && !after.done) {
        job.after = after;
        after.waiting.push(job);
      } else this.ready.push(job);
    }
    this.pump();
  }

  /** Every delivery of an episode, oldest first. */
  deliveries(episode: string): readonly DeliveryRecord[] {
    return this.log.get(episode) ?? [];
  }

  stats(): WebhookStats {
    return { pending: this.pending, inFlight: this.inFlight.size, ...this.counts };
  }

  /** Stops retrying; waits for requests in flight. Deliveries not done stay as they are in the log. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) this.o.clock.clearTimeout(t);
    this.timers.clear();
    this.ready.length = 0;
    await Promise.allSettled([...this.inFlight]);
  }

  private remember(record: DeliveryRecord): void {
    const list = this.log.get(record.episode);
    if (list) list.push(record);
    else {
      this.log.set(record.episode, [record]);
      // Oldest episode out first (a Map iterates in insertion order).
      if (this.log.size > this.o.logEpisodes) this.log.delete(this.log.keys().next().value as string);
    }
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.o.concurrency && this.ready.length > 0) {
      const job = this.ready.shift()!;
      const p = this.attempt(job).finally(() => {
        this.inFlight.delete(p);
        this.pump();
      });
      this.inFlight.add(p);
    }
  }

  private async attempt(job: Job): Promise<void> {
    const { record, target } = job;
    const at = this.o.clock.now();
    this.counts.attempts++;
    let outcome: string;
    let httpStatus: number | null = null;
    let retry: boolean;
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [webhookHeaders.signature]: signatureOf(target.secret, job.body), [webhookHeaders.delivery]: record.id, 'user-agent': 'pulse-alerts/1' },
        body: job.body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      outcome = `HTTP ${res.status}`;
      httpStatus = res.status;
      if (res.ok) return this.finish(job, 'delivered', { at, httpStatus, outcome });
      retry = res.status >= 500 || res.status === 408 || res.status === 429;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      outcome = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message);
      retry = true;
    }
    record.attempts.push({ at, httpStatus, outcome });
    if (!retry || record.attempts.length >= this.o.maxAttempts || this.closed) {
      this.finish(job, 'failed');
      // The URL may carry a token in its query; the webhook's id is what the log names.
      this.o.logger.warn({ webhook: target.id, episode: record.episode, status: record.status, attempts: record.attempts.length, outcome }, 'alerts: webhook delivery failed');
      return;
    }
    record.state = 'retrying';
    const delay = backoffDelay(record.attempts.length - 1, this.o.random, this.o.backoff);
    record.nextAttemptAt = this.o.clock.now() + delay;
    const timer = this.o.clock.setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(job);
      this.pump();
    }, delay);
    this.timers.add(timer);
  }

  private finish(job: Job, state: 'delivered' | 'failed', attempt?: DeliveryAttempt): void {
    if (attempt) job.record.attempts.push(attempt);
    job.record.state = state;
    job.record.nextAttemptAt = null;
    job.done = true;
    const key = `${job.target.id}|${job.record.episode}`;
    if (this.firingJobs.get(key) === job) this.firingJobs.delete(key);
    this.pending--;
    this.counts[state]++;
    for (const w of job.waiting) this.ready.push(w);
    job.waiting = [];
  }
}
