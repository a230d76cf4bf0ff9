/**
 * `npm run bench:ui` — issue 4's dashboard targets, measured in the system Chromium against a real
 * hub + gateway fed by the simulator through the real protocol:
 *
 *   main-thread time per live tick (the SPA's `pulse:tick` measures) p50/p95   target p95 ≤ 8 ms
 *   long tasks > 50 ms in steady state                                         target none
 *   JS heap after a forced GC, minute N vs minute 1                            target ≤ +10 %
 *   stream bytes per second in steady state                                    target ≤ 10 KB/s
 *   initial JS, gzipped (entry chunk + its static imports)                     target ≤ 250 KB
 *   terminal view, 24 h window holding 5,000 lifecycle events                  target ≤ 500 ms
 *
 *   npm run bench:ui -- [--minutes 10] [--restaurants 2000] [--terminals 5] [--json] [--equal-priority]
 *                       [--contended] [--terminal-events 5000] [--cpu-profile <file>] [--heap-diff]
 *
 * Figures go to stdout (a table, or one JSON object with --json); progress to stderr. It prints
 * figures and exits 0 whether or not they meet their targets: it is a measurement, not a test.
 * The hub, gateway and simulator run at a lower priority than Chromium (cpu-priority.ts); other
 * work on the machine still competes with it, and the long tasks say how much of their wall time
 * was CPU.
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CdpRecorder } from './cdp-recorder.ts';
import { startContender } from './cpu-contender.ts';
import { systemNice, yieldToBrowser } from './cpu-priority.ts';
import { watchFleet } from './fleet-session.ts';
import { MainThreadTrace } from './main-thread-trace.ts';
import { probeScript } from './page-probes.ts';
import { formatProfile, summariseProfile, writeProfile } from './cpu-profile.ts';
import { formatGrowth, heapGrowth, totalBytes } from './heap-snapshot.ts';
import { benchSpaDir, buildBenchSpa, isStale, readableSpaDir, spaSizes } from './spa-bundle.ts';
import { watchStream } from './stream-shadow.ts';
import { startSystem } from './system-under-test.ts';
import { seededRid, seededTid } from './terminal-seed.ts';
import { timeTerminalView } from './terminal-view-timing.ts';
import { allMet, formatReport, summarise, type UiBenchRaw } from './ui-report.ts';

const profileMs = 60_000;
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const usage = `Usage: npm run bench:ui -- [options]

Drives the built dashboard in the system Chromium against a hub + gateway + simulated fleet (real
protocol) and prints: main-thread time per live tick (p50/p95, target p95 <= 8 ms), long tasks
over 50 ms in steady state (target none), JS heap growth minute 1 -> N (target <= 10 %), stream
bytes/s (target <= 10 KB/s), initial JS gzipped (target <= 250 KB), terminal 24 h view (<= 500 ms).

Options:
  --minutes <m>        length of the fleet session, at least 1.5 (default 10)
  --restaurants <n>    simulated restaurants (default 2000); one simulator holds ~19,000 terminals,
                       so 10,000 restaurants are run with --terminals 1 (real terminals, real bus)
  --terminals <m>      terminals per restaurant (default 5)
  --json               print one JSON object instead of the table
  --equal-priority     do not lower the priority of hub, gateway and simulator below Chromium
  --contended          keep one core busy at normal priority for the whole run (a busy laptop)
  --terminal-events <n> lifecycle events seeded into the terminal timed at 24 h (default 5000)
  --cpu-profile <file> profile the page's JS for the first 60 s of the steady state (an unminified
                       build, so functions have names), write the .cpuprofile (DevTools opens it)
                       and print self/total time per function per tick; the sampling slows the
                       ticks it overlaps, so the tick figures of such a run are not comparable
  --heap-diff          heap snapshots at minute 1 and N (outside the steady window), printed as
                       what grew, by constructor and by what holds it
  -h, --help           this text

Progress goes to stderr; it exits 0 whether or not the targets are met (a measurement, not a test).
PULSE_CHROMIUM overrides /usr/bin/chromium.
`;

function options() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      restaurants: { type: 'string', default: '2000' },
      terminals: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      'equal-priority': { type: 'boolean', default: false },
      contended: { type: 'boolean', default: false },
      'terminal-events': { type: 'string', default: '5000' },
      'cpu-profile': { type: 'string' },
      'heap-diff': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const num = (name: string, text: string, min: number, max: number, integer = true): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
    return n;
  };
  return {
    // The heap is compared at minute 1 and minute N: N must leave some steady state after minute 1.
    minutes: num('minutes', values.minutes, 1.5, 24 * 60, false),
    restaurants: num('restaurants', values.restaurants, 1, 19_000),
    terminals: num('terminals', values.terminals, 1, 1000),
    json: values.json,
    yieldToBrowser: !values['equal-priority'],
    contended: values.contended,
    seedEvents: num('terminal-events', values['terminal-events'], 1, 100_000),
    cpuProfile: values['cpu-profile'] ?? null,
    heapDiff: values['heap-diff'],
  };
}

const progress = (line: string): void => void process.stderr.write(`bench:ui │ ${line}\n`);

async function main(): Promise<void> {
  const o = options();
  if (o.restaurants * o.terminals > 19_000) throw new Error('one simulator process holds about 19,000 terminals; ask for fewer');
  if (isStale()) {
    progress(`building the SPA into ${benchSpaDir} (vite build --manifest)…`);
    progress(`built in ${((await buildBenchSpa(progress)) / 1000).toFixed(1)} s`);
  } else progress(`the SPA build in ${benchSpaDir} is up to date`);
  if (o.cpuProfile && isStale(readableSpaDir)) {
    progress(`building the SPA unminified into ${readableSpaDir} for the profile…`);
    await buildBenchSpa(progress, readableSpaDir, false);
  }
  const sizes = spaSizes();

  // The browser first, at normal priority; then this process and everything it starts yield to it.
  const browser = await chromium.launch({ executablePath: process.env.PULSE_CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs, headless: true });
  // Before the bench lowers its priority: the contender must compete with Chromium as an equal.
  const contender = o.contended ? startContender() : null;
  if (contender) progress('--contended: one core kept busy at normal priority for the whole run');
  const yielded = o.yieldToBrowser && yieldToBrowser();
  progress(yielded ? `hub, gateway, simulator and this process at nice ${systemNice}, Chromium at normal priority` : 'every process at the same priority');
  const { seedEvents } = o;
  progress(`starting hub + gateway, seeding ${seedEvents} lifecycle events for ${seededTid}, then ${o.restaurants} × ${o.terminals} simulated terminals…`);
  const system = await startSystem({ restaurants: o.restaurants, terminals: o.terminals, staticDir: o.cpuProfile ? readableSpaDir : benchSpaDir, seedEvents, progress }).catch(async (error: unknown) => {
    contender?.stop();
    await browser.close();
    throw error;
  });
  try {
    // A loaded machine connects 10,000 terminals in minutes, not in the 2 of 2,000.
    const connected = await system.connected(0.98, Math.max(120_000, o.restaurants * o.terminals * 12), 0.8);
    if (connected < 0.98 * o.restaurants * o.terminals) progress(`only ${connected} terminals connected in time (the machine is loaded); measuring with those`);
    progress(`${connected} terminals connected`);
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    await context.addInitScript({ content: probeScript });
    const page = await context.newPage();
    page.on('pageerror', (error) => progress(`page error: ${error.message}`));
    const cdp = await CdpRecorder.attach(await context.newCDPSession(page));

    const shadow = watchStream(system.hubUrl, system.token);
    const trace = new MainThreadTrace(browser, page);
    const fleet = await watchFleet(page, cdp, { url: `${system.hubUrl}/#token=${system.token}`, shadow, trace, minutes: o.minutes, progress, profileMs: o.cpuProfile ? profileMs : 0, heapSnapshots: o.heapDiff });
    shadow.close();
    if (o.cpuProfile && fleet.profile) {
      writeProfile(o.cpuProfile, fleet.profile.profile);
      progress(`CPU profile written to ${o.cpuProfile}`);
      for (const line of formatProfile(summariseProfile(fleet.profile.profile), fleet.profile.ticks)) progress(line);
    }
    if (fleet.heapGroups) {
      const { minute1, minuteN } = fleet.heapGroups;
      for (const line of formatGrowth(heapGrowth(minute1, minuteN), totalBytes(minute1), totalBytes(minuteN))) progress(line);
    }
    progress(`timing the terminal view (24 h, ${seedEvents} seeded events)…`);
    const terminalView = await timeTerminalView(page, seededRid, seededTid).catch((error: Error) => ({ notMeasured: error.message }));

    const raw: UiBenchRaw = {
      restaurants: o.restaurants,
      terminals: o.terminals,
      minutes: o.minutes,
      connected,
      browser: `Chromium ${browser.version()}${yielded ? `, the system under test at nice ${systemNice}` : ''}${contender ? ', one core kept busy (--contended)' : ''}`,
      ...fleet,
      initialJs: sizes.initial,
      fleetViewJs: sizes.fleetView,
      terminalView,
    };
    const summary = summarise(raw);
    if (o.json) process.stdout.write(JSON.stringify({ ...summary, allTargetsMet: allMet(summary) }, null, 2) + '\n');
    else process.stdout.write(formatReport(summary) + '\n');
  } finally {
    contender?.stop();
    await browser.close().catch(() => {});
    progress('stopping the simulator and the hub…');
    await system.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:ui failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
