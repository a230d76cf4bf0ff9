/**
 * A reference gateway in a process of its own, for tests that must stop it as an operator's
 * `kill -STOP` would (the test's own event loop must keep running meanwhile). Prints
 * `ready <url> <metrics url>` once listening; argv: heartbeat interval and grace, in ms. The secret comes from
 * PULSE_SECRET.
 */
import { startGateway } from '../gateway.ts';

const [intervalArg, graceArg] = process.argv.slice(2);
const gateway = await startGateway({
  secret: process.env.PULSE_SECRET ?? '',
  port: 0,
  heartbeatIntervalMs: Number(intervalArg),
  heartbeatGraceMs: Number(graceArg),
  metricsListen: { port: 0 },
});
process.stdout.write(`ready ${gateway.url} ${gateway.metricsUrl}\n`);
process.once('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
