import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { DAY_MS, defaultRetention } from '../store/store.ts';
import { retentionOf, retentionOption, type RetentionFlags } from './options.ts';

function parse(args: string[]): RetentionFlags {
  const cmd = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  cmd.addOption(retentionOption('minutes')).addOption(retentionOption('hours')).addOption(retentionOption('events'));
  cmd.parse(args, { from: 'user' });
  return cmd.opts<RetentionFlags>();
}

describe('retention per tier on the command line', () => {
  it('defaults to the store policy: minutes 14 days, hours 400, events 7', () => {
    expect(retentionOf(parse([]))).toEqual({ minutesMs: defaultRetention.minutesMs, hoursMs: defaultRetention.hoursMs, eventsMs: defaultRetention.eventsMs });
    expect(defaultRetention).toMatchObject({ minutesMs: 14 * DAY_MS, hoursMs: 400 * DAY_MS, eventsMs: 7 * DAY_MS });
  });

  it('takes each tier in days', () => {
    expect(retentionOf(parse(['--minutes-retention', '3', '--hours-retention', '30', '--events-retention', '2']))).toEqual({ minutesMs: 3 * DAY_MS, hoursMs: 30 * DAY_MS, eventsMs: 2 * DAY_MS });
  });

  it('refuses what is not a whole number of days', () => {
    expect(() => parse(['--minutes-retention', '0'])).toThrow(/--minutes-retention must be a whole number from 1/);
    expect(() => parse(['--hours-retention', '1.5'])).toThrow(/--hours-retention/);
  });
});
