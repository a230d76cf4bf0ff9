/**
 * A hub over the Redis bus in a process of its own, on a scaled clock (test-helpers/scaled-clock.ts),
 * so a test can kill -9 it for real in the middle of a minute and start another on its data.
 * Usage: node --import tsx redis-hub-child.ts '<json: dataDir, redisUrl, stream, time>'
 *
 * stdout: `ready <url>` once the bus position is pinned (every frame published after that is
 * read), `closed` after a SIGTERM shut hub, bus and store down. stderr: the JSON log (warn and up).
 */
import { createRedisBus } from '../../../bus/redis-bus.ts';
import { createLogger } from '../../../log/logger.ts';
import { openSqliteStore } from '../../../store/sqlite-store.ts';
import { scaledClock, type ScaledTime } from '../../../test-helpers/scaled-clock.ts';
import { startHub } from '../../hub.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { dataDir: string; redisUrl: string; stream: string; time: ScaledTime };
const clock = scaledClock(args.time);
const logger = createLogger({ level: 'warn', name: 'hub-child', stderr: true });
const { store, recovered } = await openSqliteStore({ dataDir: args.dataDir, clock });
const bus = createRedisBus({ url: args.redisUrl, stream: args.stream, blockMs: 200, logger });
const hub = await startHub({ secret: 'redis-hub-child-secret-0123456789', port: 0, bus, store, recovered, clock, logger, staticDir: `${args.dataDir}/no-dist` });
await bus.ready();
process.stdout.write(`ready ${hub.url}\n`);

const keepAlive = setInterval(() => {}, 1 << 30);
process.once('SIGTERM', () => {
  void (async () => {
    await hub.close();
    await bus.close();
    await store.close();
    clearInterval(keepAlive);
    process.stdout.write('closed\n');
    process.exit(0);
  })();
});
