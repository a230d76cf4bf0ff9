/**
 * Tests that need a real service (Redis now, PostgreSQL later) ask for it here, once per file:
 *
 *   const skip = await requireService('redis', REDIS_URL);
 *   describe.skipIf(skip)('redis bus', () => { … });
 *
 * Under CI (`CI=true`) an unreachable service is a failure, not a skip: CI provides the service,
 * so a silent skip there would hide a broken pipeline behind a green run. Elsewhere a developer
 * without Redis still gets a useful run, and one clear line saying what was skipped and why.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

export type ServiceKind = 'redis' | 'postgres';

/** Where tests find the services unless told otherwise (CI runs them on these addresses too). */
export const REDIS_URL = process.env.PULSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.PULSE_TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

const PING_TIMEOUT_MS = 2000;

/**
 * Pings the service. Resolves to null when it answered, to a skip reason when it did not (outside
 * CI); throws under CI. Pass the result to `describe.skipIf`.
 */
export async function requireService(kind: ServiceKind, url: string): Promise<string | null> {
  const failure = await ping(kind, url).then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  if (failure === null) return null;
  const where = redactUrl(url);
  if (isCI()) throw new Error(`${kind} at ${where} is required under CI=true and could not be reached: ${failure}`);
  const reason = `${kind} at ${where} unreachable (${failure}): skipping the tests that need it (under CI=true this fails)`;
  process.stderr.write(`[skip] ${reason}\n`);
  return reason;
}

export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** A URL fit for a log line: no password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

async function ping(kind: ServiceKind, url: string): Promise<void> {
  if (kind === 'redis') return pingRedis(url);
  return pingPostgres(url);
}

async function pingRedis(url: string): Promise<void> {
  // No retries and no offline queue: one honest attempt, then a clear answer.
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: PING_TIMEOUT_MS, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  // connect() rejects with a bare "Connection is closed."; the socket's own error says why (ECONNREFUSED …).
  let cause: Error | undefined;
  redis.on('error', (error: Error) => (cause ??= error));
  try {
    await redis.connect();
    const answer = await redis.ping();
    if (answer !== 'PONG') throw new Error(`PING answered ${String(answer)}`);
  } catch (error) {
    throw cause ?? error;
  } finally {
    redis.disconnect();
  }
}

async function pingPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PING_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}
