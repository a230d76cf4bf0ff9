/**
 * What a test against the shared, real Redis needs: stream keys no other test (or engineer, or CI
 * job) uses, deleted afterwards — never FLUSHALL, the server is shared — and an admin connection
 * to look at or tamper with the stream behind the code under test's back.
 *
 *   const redis = redisFixture(REDIS_URL);
 *   afterAll(() => redis.cleanup());
 *   const stream = redis.key('two-hubs');
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface RedisFixture {
  /** A fresh key under this fixture's random prefix; remembered for cleanup. */
  key(label: string): string;
  /** A plain connection for the test's own commands (XADD junk, XRANGE, CLIENT KILL …). */
  readonly admin: Redis;
  /** Deletes every key handed out and closes the admin connection. */
  cleanup(): Promise<void>;
}

export function redisFixture(url: string): RedisFixture {
  const prefix = `pulse-test:${randomBytes(4).toString('hex')}`;
  const keys = new Set<string>();
  let admin: Redis | undefined;
  return {
    key(label) {
      const key = `${prefix}:${label}:${keys.size}`;
      keys.add(key);
      return key;
    },
    get admin() {
      admin ??= new Redis(url, { maxRetriesPerRequest: 1, connectionName: `${prefix}:admin` });
      return admin;
    },
    async cleanup() {
      if (keys.size > 0) {
        const r = admin ?? new Redis(url, { maxRetriesPerRequest: 1 });
        await r.del(...keys);
        if (r !== admin) r.disconnect();
      }
      admin?.disconnect();
      admin = undefined;
    },
  };
}

/** The client id of the connection named `name` (CLIENT LIST), to kill exactly that one. */
export async function clientIdByName(admin: Redis, name: string): Promise<string | null> {
  const list = await admin.client('LIST');
  for (const line of String(list).split('\n')) {
    const fields = Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string]));
    if (fields.name === name && fields.id) return fields.id;
  }
  return null;
}
