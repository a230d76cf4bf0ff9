#!/usr/bin/env node
// The `pulse` command. Sources are TypeScript; tsx compiles them on load so that
// `npx pulse …` works straight after `npm install`, with no build step.
//
// Commands that run a gateway need V8 flags (src/server/cli/v8-flags.js) that V8 reads only at
// process start, so this process relaunches node with them and only relays signals and the exit.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { relaunchArgs, relaunchedMarker } from '../src/server/cli/v8-flags.js';

const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function relaunch(args) {
  // Its own process group: a Ctrl-C in a terminal signals the whole foreground group, and the
  // child receiving it twice (from the terminal and from here) would read the second as "stop
  // now" and skip the clean shutdown. So only this process hears the terminal and forwards once.
  const child = spawn(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, [relaunchedMarker]: '1' },
    detached: process.platform !== 'win32',
  });
  for (const signal of forwarded) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    console.error(`pulse: could not start ${process.execPath}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) {
      process.exit(code ?? 1);
      return;
    }
    // Die of the same signal, so whoever started `pulse` sees what really happened.
    for (const s of forwarded) process.removeAllListeners(s);
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 100);
  });
}

// In the relaunched process: stop cleanly if the wrapper is gone (SIGKILLed, so it could not
// forward anything), rather than hold the ports as an orphan nobody will signal.
function followParent() {
  delete process.env[relaunchedMarker]; // not inherited by processes this one starts
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 500);
  watch.unref();
}

const args = relaunchArgs(process.argv, process.execArgv, process.env);
if (args) relaunch(args);
else {
  if (process.env[relaunchedMarker]) followParent();
  const { register } = await import('tsx/esm/api');
  register();
  // The benches live outside the product (bench/), which adds `pulse bench` to the same program.
  const entry = process.argv[2] === 'bench' ? '../bench/cli.ts' : '../src/server/cli/main.ts';
  const { main } = await import(entry);
  await main(process.argv);
}
