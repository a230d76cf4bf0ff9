/**
 * The Fynlo-style FastAPI gateway (examples/fastapi-gateway) as a child process, for tests that
 * check Pulse against a gateway it did not write:
 *
 *   const skip = requireFastApi();
 *   describe.skipIf(skip)('…', () => { const gw = await startFastApiGateway({ secret }); … });
 *
 * It runs with the Debian Python (`/usr/bin/python3`, packages python3-fastapi, python3-uvicorn,
 * python3-jwt; there is no PyPI here). As with services.ts, under CI=true a missing Python stack
 * is a failure — CI installs it (.ci/run) — and elsewhere a skip, said in one line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isCI } from './services.ts';

export const python = '/usr/bin/python3';
const appDir = fileURLToPath(new URL('../../../examples/fastapi-gateway/', import.meta.url));
const host = '127.0.0.1';
const startTimeoutMs = 15_000;
const stopTimeoutMs = 3_000;
/** What is kept of the child's output for error messages. */
const maxOutputChars = 8_000;

export interface FastApiGatewayOptions {
  secret: string;
  /** Default 15000 (the app's own default). */
  heartbeatIntervalMs?: number;
  /** Default 5000. */
  heartbeatGraceMs?: number;
  /**
   * Runs the app with its Pulse probe on (probes/python, env PULSE_PROBE=1): it reports to `hub`
   * (ws://…/ingest) as gateway id `gateway` with the gateway token `token`. `tap`: a file the
   * probe appends every raw event it makes to, as NDJSON (what it told the hub, for assertions).
   * `watchdog`: the probe's own heartbeat watchdog too (PULSE_PROBE_WATCHDOG=1).
   */
  probe?: { hub: string; token: string; gateway: string; tap?: string; watchdog?: boolean; maxBuffered?: number; batchMax?: number };
}

export interface FastApiGateway {
  /** ws://127.0.0.1:PORT/ws */
  readonly url: string;
  readonly port: number;
  /** The uvicorn process (benches read its CPU and RSS from /proc). */
  readonly pid: number;
  /** The app's stderr and stdout so far (tail), for assertions and error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

let available: string | null | undefined;

/** Why the Python stack cannot run the app, or null when it can. Checked once per process. */
function unavailableBecause(): string | null {
  if (available !== undefined) return available;
  const probe = spawnSync(python, ['-c', 'import fastapi, uvicorn, jwt, websockets'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.error) available = `${python} could not run (${probe.error.message})`;
  else if (probe.status !== 0) available = `${python} cannot import fastapi, uvicorn, jwt, websockets (${probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`})`;
  else available = null;
  return available;
}

/** python3 can import fastapi, uvicorn and jwt. */
export function fastApiAvailable(): boolean {
  return unavailableBecause() === null;
}

/**
 * null when the FastAPI gateway can run; otherwise a skip reason (printed once), or under CI a
 * thrown error. Pass the result to `describe.skipIf`.
 */
export function requireFastApi(): string | null {
  const failure = unavailableBecause();
  if (failure === null) return null;
  const fix = 'apt-get install python3-fastapi python3-uvicorn python3-jwt python3-websockets';
  if (isCI()) throw new Error(`the FastAPI gateway is required under CI=true: ${failure}; ${fix}`);
  const reason = `${failure}: skipping the FastAPI gateway tests (${fix}; under CI=true this fails)`;
  process.stderr.write(`[skip] ${reason}\n`);
  return reason;
}

export async function startFastApiGateway(options: FastApiGatewayOptions): Promise<FastApiGateway> {
  // The port is found by listening on 0 and handed to uvicorn; another process may take it in
  // between, so an "address already in use" start is retried on a new port.
  for (let tries = 1; ; tries++) {
    const port = await freePort();
    try {
      return await launch(port, options);
    } catch (error) {
      if (!(error instanceof PortTaken) || tries >= 3) throw error;
    }
  }
}

class PortTaken extends Error {}

async function launch(port: number, options: FastApiGatewayOptions): Promise<FastApiGateway> {
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_SECRET: options.secret, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
  if (options.heartbeatIntervalMs !== undefined) env.HEARTBEAT_INTERVAL_MS = String(options.heartbeatIntervalMs);
  if (options.heartbeatGraceMs !== undefined) env.HEARTBEAT_GRACE_MS = String(options.heartbeatGraceMs);
  if (options.probe) {
    Object.assign(env, { PULSE_PROBE: '1', PULSE_HUB: options.probe.hub, PULSE_INGEST_TOKEN: options.probe.token, PULSE_GATEWAY_ID: options.probe.gateway });
    if (options.probe.tap !== undefined) env.PULSE_PROBE_TAP = options.probe.tap;
    if (options.probe.watchdog) env.PULSE_PROBE_WATCHDOG = '1';
    if (options.probe.maxBuffered !== undefined) env.PULSE_PROBE_MAX_BUFFERED = String(options.probe.maxBuffered);
    if (options.probe.batchMax !== undefined) env.PULSE_PROBE_BATCH_MAX = String(options.probe.batchMax);
  } else {
    delete env.PULSE_PROBE; // off unless asked for, whatever the test runner's environment says
  }
  // Warnings and errors only: newer uvicorn versions print each handshake's path with its query —
  // the token — at INFO on the error logger (so --no-access-log would not hide it).
  const args = ['-m', 'uvicorn', 'app:app', '--host', host, '--port', String(port), '--log-level', 'warning'];
  const child = spawn(python, args, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-maxOutputChars);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with code ${code}`));
  });
  // A test worker that dies without stop() must not leave uvicorn behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + startTimeoutMs;
  let gone: string | null = null;
  void exited.then((why) => (gone = why));
  while (!(await accepts(port))) {
    if (gone !== null || Date.now() > deadline) {
      await stop();
      if (/address already in use/i.test(output)) throw new PortTaken(`port ${port} taken`);
      const why = gone ?? `not accepting connections after ${startTimeoutMs} ms`;
      throw new Error(`fastapi gateway (${python} ${args.join(' ')} in ${appDir}) ${why}:\n${output.trim() || '(no output)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `ws://${host}:${port}/ws`, port, pid: child.pid ?? -1, output: () => output, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
