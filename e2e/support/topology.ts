/**
 * How the hub and the gateway run in the e2e system.
 *
 * - `redis` (default): as a fleet runs them — a private `redis-server` on a free port, `pulse
 *   gateway --bus redis://…` and `pulse hub --bus redis://…` as separate processes. Killing the hub
 *   kills the hub alone: the gateway and its terminals carry on, and their telemetry waits in the
 *   stream.
 * - `all-in-one`: hub and gateway in one process (pipeline-main.ts, the composition `pulse start`
 *   runs). Kept for machines without redis-server; there a hub kill takes the gateway with it.
 *
 * PULSE_E2E_TOPOLOGY=all-in-one picks the second.
 */
import { join } from 'node:path';
import { Child } from './child.ts';

export type Topology = 'redis' | 'all-in-one';
export const topology: Topology = process.env.PULSE_E2E_TOPOLOGY === 'all-in-one' ? 'all-in-one' : 'redis';

export interface PipelineOptions {
  repoRoot: string;
  dataDir: string;
  hubPort: number;
  gatewayPort: number;
  /** Only with `redis`. */
  redisPort: number;
  heartbeatMs: number;
  graceMs: number;
  /** The simulated terminals' reconnect backoff: the hub states it so the terminal view judges by it. */
  backoff: { baseMs: number; capMs: number };
  staticDir: string;
  /** The hub's `--alerts-file`; default the shipped rules. */
  alertsFile?: string;
  /** Every process started is handed here (the system stops them and collects their output). */
  adopt(child: Child): void;
}

export interface Pipeline {
  /** Starts the hub (all-in-one: hub + gateway); resolves with the sign-in link it printed (never log it). */
  startHub(): Promise<{ hub: Child; link: string }>;
  /** Whatever runs beside the hub and must be up first: redis and the gateway. */
  startRest(): Promise<void>;
}

export function pipeline(o: PipelineOptions): Pipeline {
  const pulseBin = join(o.repoRoot, 'bin', 'pulse.js');
  const busUrl = `redis://127.0.0.1:${o.redisPort}`;

  async function startHub(): Promise<{ hub: Child; link: string }> {
    let link = '';
    const onStdoutLine = (line: string): void => {
      const m = line.match(/dashboard\s+(http\S+#token=\S+)/);
      if (m) link = m[1]!;
    };
    const hub =
      topology === 'redis'
        ? new Child({
            name: 'hub',
            command: process.execPath,
            args: [
              pulseBin, 'hub',
              '--port', String(o.hubPort),
              '--data', o.dataDir,
              '--static', o.staticDir,
              '--bus', busUrl,
              '--log-level', 'warn',
              // The fleet's rules, as the gateway and the simulator run them.
              '--heartbeat-ms', String(o.heartbeatMs),
              '--grace-ms', String(o.graceMs),
              '--backoff-base-ms', String(o.backoff.baseMs),
              '--backoff-cap-ms', String(o.backoff.capMs),
              ...(o.alertsFile ? ['--alerts-file', o.alertsFile] : []),
            ],
            cwd: o.repoRoot,
            onStdoutLine,
          })
        : new Child({
            name: 'hub+gateway',
            command: process.execPath,
            args: [
              '--import', 'tsx', join(o.repoRoot, 'e2e', 'support', 'pipeline-main.ts'),
              JSON.stringify({ dataDir: o.dataDir, port: o.hubPort, gatewayPort: o.gatewayPort, heartbeatMs: o.heartbeatMs, graceMs: o.graceMs, backoff: o.backoff, staticDir: o.staticDir, alertsFile: o.alertsFile }),
            ],
            cwd: o.repoRoot,
            onStdoutLine,
          });
    o.adopt(hub);
    await hub.waitForLine(/dashboard\s+http/, 20_000);
    return { hub, link };
  }

  async function startRest(): Promise<void> {
    if (topology !== 'redis') return;
    // A private Redis: no state shared with other runs or people, gone with the run.
    const redis = new Child({
      name: 'redis',
      command: 'redis-server',
      args: ['--port', String(o.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', o.dataDir],
      cwd: o.dataDir,
    });
    o.adopt(redis);
    await redis.waitForLine(/Ready to accept connections/, 10_000);
    const gateway = new Child({
      name: 'gateway',
      command: process.execPath,
      args: [
        pulseBin, 'gateway',
        '--port', String(o.gatewayPort),
        // Stable across restarts, as the hub's de-duplication by (gateway, run, seq) expects.
        '--id', `gw-e2e-${o.gatewayPort}`,
        '--heartbeat-ms', String(o.heartbeatMs),
        '--grace-ms', String(o.graceMs),
        '--data', o.dataDir,
        '--bus', busUrl,
        '--log-level', 'warn',
        // Any free port: the default (7402) is shared by every e2e run on the machine.
        '--metrics-listen', '127.0.0.1:0',
      ],
      cwd: o.repoRoot,
    });
    o.adopt(gateway);
    await gateway.waitForLine(/listening on ws:/, 20_000);
  }

  return { startHub, startRest };
}

/** Stop order, front to back as `pulse start` stops: the fleet (its truth flushed), gateway, hub, bus. */
export const stopRank: Record<string, number> = { sim: 0, gateway: 1, 'hub+gateway': 2, hub: 2, redis: 3 };
