/**
 * The one interface every store follows: the embedded SQLite store now, a PostgreSQL twin later.
 * Every method returns a Promise even where SQLite could answer synchronously, so that a network
 * database fits the same shape and callers never assume a write finished before it resolved.
 *
 * Time windows are half-open everywhere: `from` inclusive, `to` exclusive, ms since epoch.
 */
import type { RestaurantMinute } from '../../core/rollup.ts';
import { lifecycleTypes, type LifecycleEvent, type LifecycleType } from '../../protocol/telemetry.ts';

/** The store keeps rollups as core defines them and never looks inside beyond merging them. */
export type { RestaurantMinute } from '../../core/rollup.ts';

/**
 * What the terminal timeline needs one by one — the raw probe events and the records of late
 * heartbeats (src/protocol/telemetry.ts); everything else is rolled up.
 */
export const lifecycleEventTypes = lifecycleTypes;
export type LifecycleEventType = LifecycleType;
export type { LifecycleEvent };

/** Merges two encoded histograms into one encoded histogram; injected so the store needs no HDR code. */
export type MergeHistogram = (a: string, b: string) => string;

export type MinutesQuery = {
  /** Only these restaurants; omitted = all. An empty list matches nothing. */
  rids?: readonly string[];
  from: number;
  to: number;
};

export type EventsQuery = {
  tid?: string;
  rid?: string;
  /** Only events of these restaurants; an empty list matches nothing. Combines with `rid` (AND). */
  rids?: readonly string[];
  from: number;
  to: number;
  /** At most this many, the oldest first. Ask for one more than you show to know if there are more. */
  limit?: number;
};

export type KnownTerminal = { rid: string; lastSeen: number };

export type RetentionPolicy = {
  /** Restaurant-minute rollups older than this are deleted. Default 30 days. */
  minutesMs: number;
  /** Lifecycle events older than this are deleted. Default 7 days. */
  eventsMs: number;
  /** Terminals not seen for this long are forgotten by `knownTerminals`. Default 30 days. */
  terminalsMs: number;
};

export const DAY_MS = 86_400_000;
export const defaultRetention: RetentionPolicy = { minutesMs: 30 * DAY_MS, eventsMs: 7 * DAY_MS, terminalsMs: 30 * DAY_MS };

export type RetentionCounts = { minutes: number; events: number; terminals: number };

/** What the store found about the previous run when it opened. */
export type StoreRecovery = {
  /** False when the previous run ended without `close()` (kill -9, power loss, crash). */
  cleanShutdown: boolean;
  /** True when the data file did not exist before: there was no previous run. */
  freshFile: boolean;
  /** When the previous run last committed a write batch (store clock). */
  lastWriteAt?: number;
};

export interface Store {
  /** Upsert: a row for an existing (rid, minute) is merged into it — see `mergeMinute`. One transaction. */
  writeMinutes(rows: readonly RestaurantMinute[]): Promise<void>;
  /** Appends lifecycle events, in the given order, in one transaction. */
  writeEvents(events: readonly LifecycleEvent[]): Promise<void>;
  /** Rows ordered by (rid, minute). */
  readMinutes(query: MinutesQuery): Promise<RestaurantMinute[]>;
  /** Events ordered by their time `t`, then by insertion order. */
  readEvents(query: EventsQuery): Promise<LifecycleEvent[]>;
  /** Authenticated terminals (open, close, limit or late-heartbeat events) last seen at or after `since`. */
  knownTerminals(since: number): Promise<Map<string, KnownTerminal>>;
  /** Deletes what the retention policy says is too old at `now`; returns how many rows went. */
  retention(now: number): Promise<RetentionCounts>;
  /** Marks a clean shutdown and releases the file. Idempotent; every later call rejects STORE_CLOSED. */
  close(): Promise<void>;
}

/** A pino-compatible logger; the store and its jobs only ever log an object and a message. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: StoreLogger = { info() {}, warn() {}, error() {} };
