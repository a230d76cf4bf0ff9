import { describe, expect, it } from 'vitest';
import { isKnownTimezone, isOpenAt, localTimeOf, type WeeklyHours } from './opening-hours.ts';

// Wednesday 2026-12-02 in Paris (UTC+1 in winter).
const paris = (hhmm: string, day = '02') => Date.parse(`2026-12-${day}T${hhmm}:00+01:00`);

describe('opening hours', () => {
  const hours: WeeklyHours = { timezone: 'Europe/Paris', days: { wed: [['11:00', '15:00'], ['18:00', '01:00']], thu: [['11:00', '15:00']] } };

  const cases: [string, number, boolean][] = [
    ['before the first range', paris('10:59'), false],
    ['at opening', paris('11:00'), true],
    ['closing is exclusive', paris('15:00'), false],
    ['between ranges', paris('16:30'), false],
    ['evening range', paris('22:00'), true],
    ['past midnight, in the range that began the day before', paris('00:30', '03'), true],
    ['past the late close', paris('01:00', '03'), false],
    ['a day not listed is closed', paris('12:00', '04'), false],
  ];
  for (const [name, t, open] of cases) it(name, () => expect(isOpenAt(hours, t)).toBe(open));

  it('no hours: always open', () => expect(isOpenAt(undefined, paris('03:00'))).toBe(true));

  it('reads the local time of the zone, not of the machine', () => {
    expect(localTimeOf(Date.parse('2026-12-02T23:30:00Z'), 'Asia/Tokyo')).toEqual({ day: 4, minute: 8 * 60 + 30 });
    expect(localTimeOf(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Paris').minute).toBe(14 * 60); // summer: UTC+2
  });

  it('a full day is 00:00–24:00', () => {
    const allDay: WeeklyHours = { timezone: 'UTC', days: { wed: [['00:00', '24:00']] } };
    expect(isOpenAt(allDay, Date.parse('2026-12-02T23:59:00Z'))).toBe(true);
    expect(isOpenAt(allDay, Date.parse('2026-12-03T00:00:00Z'))).toBe(false);
  });

  it('knows real zones from typos', () => {
    expect(isKnownTimezone('Europe/Paris')).toBe(true);
    expect(isKnownTimezone('Europe/Pariss')).toBe(false);
  });
});
