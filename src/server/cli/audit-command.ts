/**
 * `pulse audit gateway URL` — check any POS gateway against the patterns (docs/audit.md), from a
 * shell or CI: progress line by line as each check finishes, then the report in words (or
 * `--json`), and exit 1 when a check failed. `pulse audit terminal --listen HOST:PORT` — the same
 * for a terminal implementation, by a gateway that misbehaves on a schedule.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { defaultDataDir } from '../auth/secret.ts';
import { exitCodeOf } from '../audit/audit-report.ts';
import { auditGateway, selectedChecks, type AuditProgress } from '../audit/gateway-audit.ts';
import { gatewayCheckIds, gatewayChecks } from '../audit/gateway-checks.ts';
import { plain, progressLine, renderReport } from '../audit/report-text.ts';
import { auditTerminal } from '../audit/terminal-audit.ts';
import { terminalCheckIds, terminalChecks } from '../audit/terminal-checks.ts';
import { commandTokens, secretTokens, type TokenSource } from '../audit/token-source.ts';
import { intOption, listOption } from './options.ts';

interface AuditGatewayOptions {
  secret?: string;
  tokenCmd?: string;
  data: string;
  restaurant: string;
  terminal: string;
  otherRestaurant?: string;
  interval?: number;
  grace: number;
  answerMs: number;
  only?: string[];
  orderUrl?: string;
  json?: boolean;
}

const idOption = (name: string) => (value: string): string => {
  if (!/^[A-Za-z0-9._:-]{1,48}$/.test(value)) throw new InvalidArgumentError(`${name} may hold only letters, digits and . _ : - (1 to 48 characters)`);
  return value;
};

const wsUrl = (value: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a WebSocket URL, e.g. ws://127.0.0.1:7401/ws');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new InvalidArgumentError('the gateway URL must start with ws:// or wss://');
  return value;
};

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('check a POS gateway (tokens, heartbeat, limits, tenancy) or a terminal (heartbeat, backoff, 4001) against the patterns; exit 1 when a check fails');

  audit
    .command('gateway')
    .description('connect to a gateway as terminals and run the battery; a report in words, or --json')
    .argument('<url>', 'where terminals connect, e.g. ws://127.0.0.1:7401/ws', wsUrl)
    .option('--secret <secret>', 'the HS256 secret the gateway verifies terminal tokens with (default: PULSE_SECRET, else <data>/secret)')
    .option('--token-cmd <command>', 'instead of a secret: a shell command printing a valid terminal token for $PULSE_AUDIT_RESTAURANT / $PULSE_AUDIT_TERMINAL (checks that need the secret are then "not applicable")')
    .option('--data <dir>', 'data folder whose secret to use when neither --secret nor PULSE_SECRET is given', defaultDataDir)
    .option('--restaurant <id>', 'restaurant id of the audit\'s terminals', idOption('--restaurant'), 'audit-r1')
    .option('--terminal <id>', 'terminal id of the first terminal; the others are <id>-<what it does>', idOption('--terminal'), 'till-1')
    .option('--other-restaurant <id>', 'the restaurant that must receive nothing of --restaurant\'s orders (default <restaurant>-other)', idOption('--other-restaurant'))
    .option('--interval <ms>', 'heartbeat interval to hold the gateway to (default: its welcome\'s, else 15000)', intOption('--interval', 10, 600_000))
    .option('--grace <ms>', 'grace after two intervals before a silent terminal must be dropped', intOption('--grace', 0, 600_000), 5000)
    .option('--answer-ms <ms>', 'how long to wait for an answer that should come at once (pong, refusal)', intOption('--answer-ms', 50, 60_000), 2000)
    .option('--only <checks>', `comma-separated check ids or groups (token, heartbeat, limits, tenancy); token.accepted always runs`, listOption)
    .option('--order-url <url>', 'an HTTP endpoint POSTed {"restaurantId","order"} to make the gateway broadcast (default: a terminal sends an order frame)')
    .option('--json', 'print the report as JSON on stdout (progress goes to stderr)')
    .addHelpText(
      'after',
      `
Checks (docs/audit.md says what each means and the fix for a failure):
${gatewayCheckIds.map((id) => `  ${id.padEnd(19)} ${gatewayChecks[id].title}`).join('\n')}

Verdicts: PASS, FAIL, N/A (not applicable: the gateway offers nothing to check, e.g. no
broadcast, or the check needs --secret). Exit code 0 when nothing failed, 1 otherwise.

The audit takes about 2 × interval + grace (the silent-terminal check), ~36 s at 15 s; the others
run meanwhile. Gateways that send no welcome are held to --interval (default 15000).

Examples:
  npx pulse audit gateway ws://127.0.0.1:7401/ws                    # npm start's gateway, its ./data secret
  PULSE_SECRET=… pulse audit gateway wss://pos.example.com/ws --json > audit.json
  pulse audit gateway ws://127.0.0.1:8000/ws --secret "$GATEWAY_SECRET" --interval 15000 --only token,limits
  pulse audit gateway ws://gw:8100/ws --token-cmd './issue-token.sh "$PULSE_AUDIT_RESTAURANT" "$PULSE_AUDIT_TERMINAL"'`,
    )
    .action((url: string, opts: AuditGatewayOptions) => runAuditGateway(url, opts));

  audit
    .command('terminal')
    .description('act as a gateway that misbehaves on a schedule and grade the terminal that connects to it')
    .requiredOption('--listen <host:port>', 'where to listen; point the terminal at ws://HOST:PORT/ws (any path is taken)', listenOption)
    .option('--interval <ms>', 'heartbeat interval announced in the welcome and held to', intOption('--interval', 10, 600_000), 15_000)
    .option('--grace <ms>', 'grace after the interval before a ping counts as late', intOption('--grace', 0, 600_000), 5000)
    .option('--cap <ms>', 'the largest reconnect delay allowed (the backoff cap, with slack)', intOption('--cap', 10, 3_600_000), 70_000)
    .option('--stable <ms>', 'how long a connection is served for the terminal to count it stable', intOption('--stable', 10, 3_600_000), 15_000)
    .option('--drops <n>', 'connections dropped in a row to measure the backoff', intOption('--drops', 4, 50), 6)
    .option('--connect-timeout <ms>', 'how long to wait for the terminal to connect at all', intOption('--connect-timeout', 100, 3_600_000), 120_000)
    .option('--json', 'print the report as JSON on stdout (progress goes to stderr)')
    .addHelpText(
      'after',
      `
Schedule: serve normally for 3 intervals (heartbeat), withhold pongs while orders flow (liveness),
drop ${'<drops>'} connections as soon as they open (backoff), serve one for --stable + an interval
then drop it (reset), refuse the next with 4001 and watch for a retry (no-retry), and count
connections open at once all along (single). One terminal at a time; tokens are read, not verified.

Checks:
${terminalCheckIds.map((id) => `  ${id.padEnd(23)} ${terminalChecks[id].title}`).join('\n')}

With the defaults (15 s heartbeat, 2 s → 64 s backoff) an audit takes a few minutes.

Examples:
  pulse audit terminal --listen 127.0.0.1:7499      # then point a terminal at ws://127.0.0.1:7499/ws
  pulse audit terminal --listen 0.0.0.0:7499 --interval 2000 --stable 4000 --cap 20000 --json`,
    )
    .action((opts: AuditTerminalOptions) => runAuditTerminal(opts));
}

interface AuditTerminalOptions {
  listen: { host: string; port: number };
  interval: number;
  grace: number;
  cap: number;
  stable: number;
  drops: number;
  connectTimeout: number;
  json?: boolean;
}

function listenOption(value: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port > 65_535) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:7499');
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

async function runAuditTerminal(opts: AuditTerminalOptions): Promise<void> {
  const out = opts.json ? process.stderr : process.stdout;
  const report = await auditTerminal({
    host: opts.listen.host,
    port: opts.listen.port,
    intervalMs: opts.interval,
    graceMs: opts.grace,
    capMs: opts.cap,
    stableMs: opts.stable,
    drops: opts.drops,
    connectTimeoutMs: opts.connectTimeout,
    onListening: (url) => out.write(`pulse audit terminal listening on ${url}\n`),
    onProgress: (e) => {
      if (e.type === 'done') out.write(progressLine(e.result) + '\n');
      else if (e.note) out.write(`....  ${e.id.padEnd(18)} ${plain(e.note)}\n`);
    },
  });
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write('\n' + renderReport(report));
  process.exitCode = exitCodeOf(report);
}

/** The good tokens' source: --secret, --token-cmd, PULSE_SECRET, <data>/secret — never a new secret. */
function tokenSource(opts: AuditGatewayOptions): TokenSource {
  if (opts.secret !== undefined && opts.tokenCmd !== undefined) throw new Error('give either --secret or --token-cmd, not both');
  if (opts.secret !== undefined) return secretTokens(opts.secret, Date.now);
  if (opts.tokenCmd !== undefined) return commandTokens(opts.tokenCmd);
  const env = process.env.PULSE_SECRET;
  if (env) return secretTokens(env, Date.now, 'PULSE_SECRET');
  const path = join(opts.data, 'secret');
  if (existsSync(path)) return secretTokens(readFileSync(path, 'utf8').trim(), Date.now, path);
  throw new Error(`no secret to sign the audit's tokens: give --secret (the gateway's HS256 secret), PULSE_SECRET, or --token-cmd; ${path} does not exist`);
}

async function runAuditGateway(url: string, opts: AuditGatewayOptions): Promise<void> {
  selectedChecks(opts.only); // an unknown --only is a usage error before any connection
  const tokens = tokenSource(opts);
  const out = opts.json ? process.stderr : process.stdout;
  const onProgress = (e: AuditProgress): void => {
    if (e.type === 'done') out.write(progressLine(e.result) + '\n');
    else if (e.note) out.write(`....  ${e.id.padEnd(18)} ${plain(e.note)}\n`);
  };
  out.write(`pulse audit gateway ${plain(url)}: tokens ${tokens.describe}\n`);
  const report = await auditGateway({
    url,
    tokens,
    restaurant: opts.restaurant,
    terminal: opts.terminal,
    graceMs: opts.grace,
    answerMs: opts.answerMs,
    onProgress,
    ...(opts.otherRestaurant ? { otherRestaurant: opts.otherRestaurant } : {}),
    ...(opts.interval !== undefined ? { intervalMs: opts.interval } : {}),
    ...(opts.only ? { only: opts.only } : {}),
    ...(opts.orderUrl ? { orderUrl: opts.orderUrl } : {}),
  });
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write('\n' + renderReport(report));
  process.exitCode = exitCodeOf(report);
}
