/**
 * The one interface every store follows: the embedded SQLite store (sqlite-store.ts) and the
 * PostgreSQL one (postgres/pg-store.ts). Every method returns a Promise even where SQLite could
 * answer synchronously, so that a network database fits the same shape and callers never assume a
 * write finished before it resolved.
 *
 * Calls take effect in call order, as they do for free with synchronous SQLite: a call sees every
 * write called before it and none called after, and a write resolves before any later call starts
 * — so a standalone checkpoint never lands before the batch it follows, and a history read never
 * misses rows the hub forgot because their write resolved (the PostgreSQL store enforces it,
 * postgres/call-order.ts).
 *
 * Time windows are half-open everywhere: `from` inclusive, `to` exclusive, ms since epoch.
 */
import type { RestaurantMinute } from '../../core/rollup.ts';
import type { ProbeEventOf } from '../../protocol/probe-events.ts';
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

/** A page of the fleet's rows (or of `rids`') of [from, to), ordered by (minute, rid), after a row's key. */
export type MinutesPageQuery = {
  /** Only these restaurants; omitted = all. An empty list matches nothing. */
  rids?: readonly string[];
  from: number;
  to: number;
  /** The key of the last row of the previous page; omitted = from the start of the window. */
  after?: { minute: number; rid: string };
  /** At most this many rows (a positive whole number). */
  limit: number;
};

export type EventsQuery = {
  /** Only this terminal id — in every restaurant that has one unless `rid` narrows it (ids are per restaurant). */
  tid?: string;
  rid?: string;
  /** Only events of these restaurants; an empty list matches nothing. Combines with `rid` (AND). */
  rids?: readonly string[];
  from: number;
  to: number;
  /** At most this many, the oldest first. Ask for one more than you show to know if there are more. */
  limit?: number;
};

/**
 * Refused tokens whose unverified claims name a terminal (issue 18, item 9): they are stored under
 * no restaurant, so only this read finds them, for viewers who see the whole fleet.
 */
export type ClaimedAuthFailuresQuery = {
  claimedTid: string;
  /** Only tokens that also claimed this restaurant (terminal ids are per restaurant); omitted = any. */
  claimedRid?: string;
  from: number;
  to: number;
  /** Required: a flood of refused tokens is exactly what this reads. The oldest first. */
  limit: number;
};

/** A terminal is `(rid, tid)`: tills are named per restaurant (issue 18, item 3). */
export type KnownTerminal = {
  rid: string;
  tid: string;
  lastSeen: number;
  /** Its latest close the store holds (ms), if any: a hub restarted within 10 min still counts its reconnect. */
  lastClose?: number;
};

/**
 * A named position kept with the data it describes, e.g. how far a hub has written what it read
 * from the bus. Written in the same transaction as a batch, it can never claim more than was
 * committed, nor less: a hub resuming from it writes nothing twice.
 */
export type Checkpoint = { name: string; value: string };

export type RetentionPolicy = {
  /**
   * Restaurant-minute rollups older than this are deleted — once their hour is rolled into the
   * hour tier, never before. Default 14 days.
   */
  minutesMs: number;
  /** Restaurant-hour rollups older than this are deleted. Default 400 days. */
  hoursMs: number;
  /** Lifecycle events older than this are deleted. Default 7 days. */
  eventsMs: number;
  /** Terminals not seen for this long are forgotten by `knownTerminals`. Default 30 days. */
  terminalsMs: number;
};

export const DAY_MS = 86_400_000;
export const defaultRetention: RetentionPolicy = { minutesMs: 14 * DAY_MS, hoursMs: 400 * DAY_MS, eventsMs: 7 * DAY_MS, terminalsMs: 30 * DAY_MS };

export type RetentionCounts = { minutes: number; hours: number; events: number; terminals: number };

/**
 * How the hour tier is kept (src/core/hour-tier.ts). Reads need no option: `readMinutes` and
 * `readMinutesPage` answer from hours where minutes are gone, or for windows over `longWindowMs`.
 */
export type TierOptions = {
  /** An hour is rolled once it ended this long ago (late minutes of a restarted hub). Default 10 min. */
  settleMs: number;
  /** Restaurants per roll-up transaction (one hour each): the event loop runs between batches. Default 50. */
  batchRestaurants: number;
  /** Windows longer than this read whole hours from the hour tier. Default 11 days: series buckets are ≥ 1 h there (500 points). */
  longWindowMs: number;
};

export const defaultTierOptions: TierOptions = { settleMs: 10 * 60_000, batchRestaurants: 50, longWindowMs: 11 * DAY_MS };

/** Where both engines keep the roll-up's position and how far minutes reach, in `meta`. */
export const tierMetaKeys = { position: 'tier:rollup', minutesFrom: 'tier:minutes_from' } as const;

/** What one roll-up run did: hour rows written, and the position it reached (every hour before `through` is rolled). */
export type RollupCounts = { hours: number; batches: number; through: number };

/** What the store found about the previous run when it opened. */
export type StoreRecovery = {
  /** False when the previous run ended without `close()` (kill -9, power loss, crash). */
  cleanShutdown: boolean;
  /** True when the data file did not exist before: there was no previous run. */
  freshFile: boolean;
  /** When the previous run last committed a write batch (store clock). */
  lastWriteAt?: number;
  /** The latest restaurant-minute the store holds (its start, ms), if any: minutes after it were never written. */
  lastMinute?: number;
};

export interface Store {
  /**
   * Upsert: a row for an existing (rid, minute) is merged into it — see `mergeMinute`. One
   * transaction, which also writes `checkpoint` when given.
   */
  writeMinutes(rows: readonly RestaurantMinute[], checkpoint?: Checkpoint): Promise<void>;
  /** Appends lifecycle events, in the given order, in one transaction (with `checkpoint` when given). */
  writeEvents(events: readonly LifecycleEvent[], checkpoint?: Checkpoint): Promise<void>;
  /** The value last written under `name`, or undefined. */
  readCheckpoint(name: string): Promise<string | undefined>;
  /** Writes a checkpoint on its own: only for one that covers nothing still being written. */
  writeCheckpoint(checkpoint: Checkpoint): Promise<void>;
  /**
   * Rows ordered by (rid, minute). Where the hour tier answers (planTiers, src/core/hour-tier.ts:
   * minutes gone, or a window over `longWindowMs`) a row is a restaurant-hour — `minute` its
   * hour's start, the merge of its minutes; callers fold it like any row.
   */
  readMinutes(query: MinutesQuery): Promise<RestaurantMinute[]>;
  /**
   * The fleet's rows a page at a time (keyset on the minute index), so a long window is read in
   * bounded steps whatever the fleet's density — each SQLite read holds the event loop for `limit`
   * rows only (src/server/hub/api/series-query.ts).
   */
  readMinutesPage(query: MinutesPageQuery): Promise<RestaurantMinute[]>;
  /** Events ordered by their time `t`, then by insertion order. */
  readEvents(query: EventsQuery): Promise<LifecycleEvent[]>;
  /** `auth_fail` events (rid and tid NULL) whose claims match, ordered by `t`, then insertion order. */
  readClaimedAuthFailures(query: ClaimedAuthFailuresQuery): Promise<ProbeEventOf<'auth_fail'>[]>;
  /**
   * Authenticated terminals (open, close, limit or late-heartbeat events) last seen at or after
   * `since`, keyed by `terminalKey(rid, tid)` (src/core/terminal-key.ts).
   */
  knownTerminals(since: number): Promise<Map<string, KnownTerminal>>;
  /**
   * Connections the store says are open: opens at or after `since` with no close of the same
   * connection (gw, conn) after them, oldest first. Only opens from 5 minutes before their
   * terminal's last close on are considered — a connection outliving a newer one of its terminal
   * by longer is a gateway that died without closing it, which the hub learns from the bus.
   */
  openConnections(since: number): Promise<ProbeEventOf<'open'>[]>;
  /**
   * Rolls settled hours (ended `settleMs` before `now`) into the hour tier, in batches of a few
   * restaurants of one hour, each one transaction with the position reached, yielding between
   * them: idempotent, resumable after a crash, each hour row written once. Minutes written later
   * into a rolled hour are merged into its row as they are written.
   */
  rollUp(now: number): Promise<RollupCounts>;
  /** Deletes what the retention policy says is too old at `now`, tier by tier; returns how many rows went. */
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
