/**
 * Alerts in the hub (docs/alerts.md): the rules file (watched), core's evaluator stepped on every
 * stream tick over the figures that tick already computed, the history, and the webhooks. The hub
 * calls `observe` from its tick — synchronous and cheap: evaluation is pure arithmetic, a history
 * row is written only on a transition, and webhooks are queued, never awaited.
 */
import { systemClock, type Clock, type Random } from '../../core/clock.ts';
import { AlertEvaluator, type AlertTransition } from '../../core/alerts/alert-evaluator.ts';
import { observationsOf, type ObservationInputs } from '../../core/alerts/alert-observations.ts';
import { inRuleScope, type RestaurantDirectory } from '../../core/alerts/alert-rule.ts';
import { withDirectory } from '../../core/alerts/directory-adapter.ts';
import type { RestaurantDirectory as Directory } from '../../core/directory/restaurant-directory.ts';
import { restaurantMetrics, type AlertsAnswer } from '../../protocol/alerts.ts';
import type { Logger } from '../log/logger.ts';
import { describeProblems, loadAlertsConfig, type AlertsConfig } from './alerts-config.ts';
import { watchAlertsFile, type AlertsFileWatch } from './alerts-file-watch.ts';
import { memoryAlertHistory, type AlertHistory } from './alert-history.ts';
import { WebhookSender, type DeliveryRecord, type WebhookSenderOptions, type WebhookStats } from './webhook-sender.ts';
import { loadSilences, type Silences } from './silences.ts';
import { memorySilenceStore, type SilenceStore } from '../store/silence-store.ts';

export interface AlertSources {
  gateways(): readonly { gw: string; alive: boolean }[];
  unscopedAuthFailuresPerMin(now: number): number;
  storeFailing(): boolean;
}

export interface AlertsOptions {
  /** The alerts file (watched and reloaded); or `config` for a fixed set (tests). */
  file?: string;
  config?: AlertsConfig;
  /** Default: in memory. The CLI gives SQLite in the data folder. */
  history?: AlertHistory;
  /** Silences made through the API. Default: in memory. The CLI gives the chosen store's. */
  silenceStore?: SilenceStore;
  webhooks?: Partial<Omit<WebhookSenderOptions, 'clock' | 'logger' | 'hubId'>>;
  /** The file watch's debounce (default 300 ms). */
  debounceMs?: number;
}

export interface AlertsServiceOptions extends AlertsOptions {
  clock?: Clock;
  random?: Random;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  hubId: string;
  /** Base of dashboard links when the file sets no `publicUrl` (read when a link is made: the hub may not listen yet). */
  hubUrl: () => string;
  sources: AlertSources;
  /** The restaurant directory in force (`--restaurants-file`): its tags, hours and closed dates join the file's. */
  directory?: () => Directory;
}

/** Who asks: `restaurants` null sees everything (gateway and fleet alerts included). */
export type AlertsViewer = { restaurants: readonly string[] | null };

export interface AlertsService {
  observe(now: number, restaurants: ObservationInputs['restaurants']): void;
  answer(now: number, viewer: AlertsViewer, historyLimit?: number): AlertsAnswer;
  firingByRule(): { rule: string; severity: string; firing: number }[];
  deliveries(episode: string): readonly DeliveryRecord[];
  /** The file's silences and the API's (POST/GET/DELETE /api/silences). */
  readonly silences: Silences;
  webhookStats(): WebhookStats;
  setConfig(config: AlertsConfig): void;
  close(): Promise<void>;
}

export async function startAlerts(o: AlertsServiceOptions): Promise<AlertsService> {
  const clock = o.clock ?? systemClock();
  let config: AlertsConfig;
  if (o.config) config = o.config;
  else if (o.file) {
    const first = await loadAlertsConfig(o.file);
    // At start there are no last good rules to keep: refuse, saying where the file is wrong.
    if (!first.ok) throw new Error(`the alerts file is not valid:\n${describeProblems(o.file, first.problems)}`);
    config = first.config;
  } else throw new Error('startAlerts needs a file or a config');

  // Restaurants as the rules see them: the alerts file's entries, joined to the directory if any.
  const joined = (c: AlertsConfig): RestaurantDirectory => (o.directory ? withDirectory(c.directory, o.directory) : c.directory);
  let directory = joined(config);
  const evaluator = new AlertEvaluator(config.rules);
  const history = o.history ?? memoryAlertHistory();
  const sender = new WebhookSender({ clock, random: o.random ?? Math.random, logger: o.logger, hubId: o.hubId, ...o.webhooks });

  function linkOf(t: AlertTransition): string | null {
    const s = t.episode.subject;
    if (s.kind !== 'restaurant') return null;
    return `${(config.publicUrl ?? o.hubUrl()).replace(/\/+$/, '')}/restaurants/${encodeURIComponent(s.rid)}`;
  }

  function handle(transitions: readonly AlertTransition[]): void {
    for (const t of transitions) {
      const e = t.episode;
      try {
        history.record(e);
      } catch (error) {
        o.logger.error({ err: String(error), episode: e.id }, 'alerts: history write failed');
      }
      o.logger.info({ alert: e.id, status: t.type, rule: e.rule, severity: e.severity, subject: e.subject, value: e.value, endedBy: e.endedBy }, `alert ${t.type}: ${e.name}`);
      sender.send(t.type, e, linkOf(t), config.webhooks, directory);
    }
  }

  const silenceStore = o.silenceStore ?? memorySilenceStore();
  const silences = await loadSilences({ store: silenceStore, rules: () => evaluator.ruleList, directory: () => directory, fileSilences: () => config.silences }, clock.now());

  // Episodes the last run left firing (a history file): resumed, not fired a second time.
  handle(evaluator.resume(history.list({ limit: 10_000 }).filter((e) => e.resolvedAt === null), clock.now()));

  function setConfig(next: AlertsConfig): void {
    config = next;
    directory = joined(next);
    handle(evaluator.setRules(next.rules, clock.now()));
  }

  const watch: AlertsFileWatch | undefined = o.file && !o.config ? watchAlertsFile({ path: o.file, logger: o.logger, clock, onConfig: setConfig, ...(o.debounceMs !== undefined ? { debounceMs: o.debounceMs } : {}) }) : undefined;

  return {
    observe(now, restaurants) {
      try {
        const observations = observationsOf({ restaurants, gateways: o.sources.gateways(), unscopedAuthFailuresPerMin: o.sources.unscopedAuthFailuresPerMin(now), storeFailing: o.sources.storeFailing() });
        handle(evaluator.evaluate(now, observations, { directory, silences: silences.inForce() }));
      } catch (error) {
        // An alerting bug must not stop the stream's tick.
        o.logger.error({ err: String(error) }, 'alerts: evaluation failed');
      }
    },
    answer(now, viewer, historyLimit = 200) {
      const rids = viewer.restaurants;
      const sees = (rid: string | null) => rids === null || (rid !== null && rids.includes(rid));
      const active = evaluator.statuses().filter((s) => sees(s.subject.kind === 'restaurant' ? s.subject.rid : null));
      // A manager sees the rules that can cover one of their restaurants, and no other restaurant's id.
      const rules = evaluator.ruleList.filter((r) => rids === null || (restaurantMetrics.includes(r.metric) && rids.some((rid) => inRuleScope(r, { kind: 'restaurant', rid }, directory))));
      return {
        t: now,
        firing: active.filter((s) => s.phase === 'firing').length,
        active,
        history: history.list({ limit: historyLimit, ...(rids !== null ? { rids } : {}) }),
        rules: rules.map((r) => ({ id: r.id, name: r.name, severity: r.severity, metric: r.metric, fire: r.fire, clear: r.clear, forMs: r.forMs })),
      };
    },
    firingByRule: () => evaluator.firingByRule(),
    deliveries: (episode) => sender.deliveries(episode),
    silences,
    webhookStats: () => sender.stats(),
    setConfig,
    async close() {
      watch?.close();
      await sender.close();
      history.close();
      await silenceStore.close();
    },
  };
}
