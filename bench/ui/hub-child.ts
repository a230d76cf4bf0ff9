/**
 * The system under test's hub and gateway, in one child process of `npm run bench:ui`: the same
 * composition as `pulse start --no-sim`, but serving the bench's own build of the SPA (built with a
 * manifest into .bench/, so the bench never empties the `dist/` another run may be serving).
 * Prints one JSON line `{"hub":…,"gateway":…}` when listening; SIGTERM stops it front to back.
 *
 *   PULSE_SECRET=… tsx hub-child.ts <dataDir> <staticDir>
 */
import { startAllInOne } from '../../src/server/pipeline/all-in-one.ts';
import { waitForSignal } from '../../src/server/pipeline/wait-for-signal.ts';

const [dataDir, staticDir] = process.argv.slice(2);
const secret = process.env.PULSE_SECRET;
if (!dataDir || !staticDir || !secret) throw new Error('usage: PULSE_SECRET=… hub-child.ts <dataDir> <staticDir>');

const app = await startAllInOne({ secret, dataDir, staticDir, port: 0, gatewayPort: 0, hub: { processMetrics: false } });
process.stdout.write(JSON.stringify({ hub: app.hub.url, gateway: app.gateway.url }) + '\n');

const wait = waitForSignal();
await wait.signal;
try {
  await app.stop();
} finally {
  wait.release();
}
process.exit(0);
