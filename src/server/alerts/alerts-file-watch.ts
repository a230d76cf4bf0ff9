/**
 * Reloads the alerts file when it changes. The folder is watched, not the file: editors save by
 * writing a new file and renaming it over the old one, and a watch on the old inode then goes
 * silent. Events are debounced (an editor's save is several), and a bad edit keeps the rules
 * running — the log says which entries are wrong and where.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.ts';
import type { Logger } from '../log/logger.ts';
import { describeProblems, loadAlertsConfig, type AlertsConfig } from './alerts-config.ts';

export interface AlertsFileWatchOptions {
  path: string;
  onConfig(config: AlertsConfig): void;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Default 300 ms. */
  debounceMs?: number;
  clock?: Clock;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface AlertsFileWatch {
  /** Read the file now (also what a change triggers); resolves true when its rules were taken. */
  reload(): Promise<boolean>;
  close(): void;
}

export function watchAlertsFile(o: AlertsFileWatchOptions): AlertsFileWatch {
  const clock = o.clock ?? systemClock();
  const path = resolve(o.path);
  const name = basename(path);
  let timer: TimerHandle | undefined;
  let closed = false;
  // Reads are chained so two quick edits can never apply out of order.
  let chain: Promise<boolean> = Promise.resolve(true);

  const reload = () =>
    (chain = chain.then(async () => {
      if (closed) return false;
      const result = await loadAlertsConfig(path, o.env);
      if (closed) return false;
      if (!result.ok) {
        o.logger.warn({ file: path, problems: result.problems }, `alerts: ${path} refused, the previous rules stay in force:\n${describeProblems(path, result.problems)}`);
        return false;
      }
      o.onConfig(result.config);
      o.logger.info({ file: path, rules: result.config.rules.length, webhooks: result.config.webhooks.length, silences: result.config.silences.length }, 'alerts: rules loaded');
      return true;
    }));

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, file) => {
      if (file !== null && file !== name) return;
      clock.clearTimeout(timer);
      timer = clock.setTimeout(() => void reload(), o.debounceMs ?? 300);
    });
    watcher.on('error', (error) => o.logger.warn({ file: path, err: String(error) }, 'alerts: cannot watch the file; edits need a restart'));
  } catch (error) {
    o.logger.warn({ file: path, err: String(error) }, 'alerts: cannot watch the file; edits need a restart');
  }

  return {
    reload,
    close() {
      closed = true;
      clock.clearTimeout(timer);
      watcher?.close();
    },
  };
}
