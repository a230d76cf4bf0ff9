/** Real PostgreSQL failures land on the store's stable codes. */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { describePostgres, pgTestUrl } from '../test-helpers/engines.ts';
import { fromPgError } from './pg-errors.ts';

const clients: pg.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.end().catch(() => undefined);
});

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: pgTestUrl });
  clients.push(c);
  await c.connect();
  return c;
}

const failure = (p: Promise<unknown>) => p.then(() => expect.fail('expected a failure'), (error: unknown) => fromPgError(error));

describePostgres('fromPgError', () => {
  it('maps a write in a read-only transaction to STORE_READONLY', async () => {
    const c = await connect();
    await c.query('BEGIN READ ONLY');
    expect(await failure(c.query('CREATE TEMP TABLE x (a int)'))).toMatchObject({ code: 'STORE_READONLY', driverCode: '25006' });
  });

  it('maps a lock it could not get in time to STORE_BUSY', async () => {
    const [a, b] = [await connect(), await connect()];
    await a.query('BEGIN');
    await a.query('SELECT pg_advisory_xact_lock(42, 42)');
    await b.query("SET lock_timeout = '50ms'");
    const held = b.query('SELECT pg_advisory_lock(42, 42)');
    expect(await failure(held)).toMatchObject({ code: 'STORE_BUSY', driverCode: '55P03' });
    await a.query('ROLLBACK');
  });

  it('maps a refused connection to STORE_UNREACHABLE and anything unknown to STORE_INTERNAL', async () => {
    const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
    expect(await failure(c.connect())).toMatchObject({ code: 'STORE_UNREACHABLE', driverCode: 'ECONNREFUSED' });
    const ok = await connect();
    expect(await failure(ok.query('SELECT 1/0'))).toMatchObject({ code: 'STORE_INTERNAL', driverCode: '22012' });
  });
});
