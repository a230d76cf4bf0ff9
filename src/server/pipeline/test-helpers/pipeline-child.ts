/**
 * The all-in-one pipeline in a process of its own, so a test can SIGTERM it or kill -9 it for real.
 * Usage: node --import tsx pipeline-child.ts <dataDir> <sim|nosim>   (PULSE_SECRET in the env)
 *
 * stdout, one line each (a write to a pipe is synchronous on Linux, so a printed line is proof the
 * thing happened before that moment):
 *   ready <hubUrl> <recovered as JSON>
 *   ev <type> <tid> <conn> <t>      every open, close and late heartbeat the gateway emitted (before its probe)
 *   closed                          after a SIGTERM shut everything down
 * stderr: the JSON log (warnings and errors), where a crashed previous run is reported.
 */
import { createLogger } from '../../log/logger.ts';
import { parseScenario } from '../../sim/scenario.ts';
import { startAllInOne } from '../all-in-one.ts';

const [dataDir, mode] = process.argv.slice(2);
const secret = process.env.PULSE_SECRET;
if (!dataDir || !mode || !secret) throw new Error('usage: PULSE_SECRET=… pipeline-child.ts <dataDir> <sim|nosim>');

const out = (line: string) => process.stdout.write(line + '\n');
const app = await startAllInOne({
  secret,
  dataDir,
  port: 0,
  gatewayPort: 0,
  staticDir: `${dataDir}/no-dist`,
  heartbeatIntervalMs: 300,
  heartbeatGraceMs: 150,
  hub: { flushIntervalMs: 200 },
  logger: createLogger({ level: 'warn', name: 'child', stderr: true }),
  probeTap: (e) => {
    if (e.type === 'open' || e.type === 'close') out(`ev ${e.type} ${e.tid} ${e.conn} ${e.t}`);
    // The probe stores a late heartbeat as an event too (`heartbeat_late`).
    else if (e.type === 'heartbeat' && !e.onTime) out(`ev heartbeat_late ${e.tid} ${e.conn} ${e.t}`);
  },
  ...(mode === 'sim'
    ? {
        sim: {
          restaurants: 3,
          terminals: { min: 2, max: 2 },
          seed: 5,
          rampPerSec: 1000,
          backoff: { baseMs: 100, capMs: 400 },
          // Two terminals reconnect all the time, so lifecycle events flow at every moment.
          scenario: parseScenario(JSON.stringify({ faults: [{ type: 'ignore-backoff', at: 0.3, duration: 600, delayMs: 60, upMs: 120, terminals: ['r-001-t1', 'r-002-t2'] }] })),
        },
      }
    : {}),
});
out(`ready ${app.hub.url} ${JSON.stringify(app.recovered)}`);

const keepAlive = setInterval(() => {}, 1 << 30);
process.once('SIGTERM', () => {
  void app.stop().then(() => {
    clearInterval(keepAlive);
    out('closed');
    process.exit(0);
  });
});
