/**
 * `--alerts-file` for `pulse hub` and `pulse start`: the shipped default rules unless another file
 * is given, and the history in `alerts.sqlite` in the data folder (beside the store's file, and
 * there whichever store is chosen: the alert history is the hub's own, not the telemetry's); the
 * silences made through the API in the chosen store.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import { sqliteAlertHistory } from './alert-history-sqlite.ts';
import type { AlertsOptions } from './alerts-service.ts';
import type { StoreChoice } from '../store/open-store.ts';
import { sqliteSilenceStore } from '../store/silence-store.ts';
import { pgSilenceStore } from '../store/postgres/pg-silences.ts';

export const defaultAlertsFile = fileURLToPath(new URL('../../../config/alerts.default.json', import.meta.url));

export function alertsFileOption(): Option {
  return new Option('--alerts-file <file>', 'alert rules, opening hours, silences and webhooks (JSON, docs/alerts.md); reloaded on change, a bad edit keeps the last good rules').default(defaultAlertsFile, 'config/alerts.default.json');
}

/** Silences made through the API live in the chosen store (its `silences` table), so they follow the fleet's data. */
export function alertsOptionsOf(file: string, dataDir: string, store: StoreChoice = { kind: 'sqlite' }): AlertsOptions {
  mkdirSync(dataDir, { recursive: true });
  const silenceStore = store.kind === 'postgres' ? pgSilenceStore(store.url) : sqliteSilenceStore(dataDir);
  return { file, history: sqliteAlertHistory(join(dataDir, 'alerts.sqlite')), silenceStore };
}
