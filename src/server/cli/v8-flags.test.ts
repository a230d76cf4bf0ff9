/**
 * When bin/pulse.js relaunches node with the gateway's V8 flags: only for commands that run a
 * gateway, never twice, and not when the flags were given already (by hand or in NODE_OPTIONS).
 */
import { describe, expect, it } from 'vitest';
import { gatewayV8Flags, relaunchArgs, relaunchedMarker, semiSpaceMiB } from './v8-flags.js';

const argv = (...rest: string[]) => ['/usr/bin/node', '/app/bin/pulse.js', ...rest];

describe('relaunchArgs', () => {
  it('puts the flags first, then the node options it had, then the script and its arguments', () => {
    expect(gatewayV8Flags).toEqual([`--max-semi-space-size=${semiSpaceMiB}`]);
    expect(relaunchArgs(argv('gateway', '--port', '0'), ['--enable-source-maps'], {})).toEqual([
      `--max-semi-space-size=${semiSpaceMiB}`,
      '--enable-source-maps',
      '/app/bin/pulse.js',
      'gateway',
      '--port',
      '0',
    ]);
    expect(relaunchArgs(argv('start'), [], {})?.[0]).toBe(`--max-semi-space-size=${semiSpaceMiB}`);
  });

  it('runs in place for commands without a gateway, --help, and no command at all', () => {
    for (const command of ['hub', 'sim', 'token', 'bench']) expect(relaunchArgs(argv(command), [], {})).toBeNull();
    expect(relaunchArgs(argv('gateway', '--help'), [], {})).toBeNull();
    expect(relaunchArgs(argv(), [], {})).toBeNull();
  });

  it('never relaunches the relaunched process, nor one given the flag already (any size, either spelling, or via NODE_OPTIONS)', () => {
    expect(relaunchArgs(argv('gateway'), [], { [relaunchedMarker]: '1' })).toBeNull();
    expect(relaunchArgs(argv('gateway'), ['--max-semi-space-size=8'], {})).toBeNull();
    expect(relaunchArgs(argv('gateway'), ['--max_semi_space_size=8'], {})).toBeNull();
    expect(relaunchArgs(argv('start'), [], { NODE_OPTIONS: '--inspect --max-semi-space-size=4' })).toBeNull();
    expect(relaunchArgs(argv('start'), [], { NODE_OPTIONS: '--max-old-space-size=512' })).not.toBeNull();
  });
});
