/**
 * Silences in the PostgreSQL store's schema (see ../silence-store.ts): a small pool of its own to
 * the same database and schema, made on first use — by then the store has run its migrations.
 */
import pg from 'pg';
import { rowOfSilence, silenceColumns, silenceOfRow, type SilenceRow, type SilenceStore } from '../silence-store.ts';
import { schemaOf } from './pg-store.ts';

export function pgSilenceStore(url: string, onError: (err: string) => void = () => {}): SilenceStore {
  let pool: pg.Pool | undefined;
  const open = (): pg.Pool => {
    if (pool) return pool;
    const schema = schemaOf(url);
    const target = new URL(url);
    target.searchParams.delete('schema');
    pool = new pg.Pool({ connectionString: target.toString(), options: `-c search_path=${schema}`, max: 2, connectionTimeoutMillis: 5_000, application_name: 'pulse-silences' });
    // An idle connection dropped by the server must not crash the hub; the next call reconnects.
    pool.on('error', (error) => onError(String(error)));
    return pool;
  };
  return {
    async current(since) {
      const { rows } = await open().query<SilenceRow>(`SELECT ${silenceColumns} FROM silences WHERE deleted_at IS NULL AND until_t > $1 ORDER BY until_t, id`, [since]);
      return rows.map(silenceOfRow);
    },
    async add(s) {
      await open().query(`INSERT INTO silences (${silenceColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, rowOfSilence(s));
    },
    async lift(id, by, at) {
      const r = await open().query('UPDATE silences SET deleted_at = $1, deleted_by = $2 WHERE id = $3 AND deleted_at IS NULL AND until_t > $1', [at, by, id]);
      return (r.rowCount ?? 0) > 0;
    },
    async close() {
      await pool?.end();
      pool = undefined;
    },
  };
}
