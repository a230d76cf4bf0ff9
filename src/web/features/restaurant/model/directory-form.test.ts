/**
 * The directory form: an entry to text fields and back to the PUT body unchanged, text split into
 * ranges and lists without judging it (the hub does), and the hub's problems placed by field.
 */
import { describe, expect, it } from 'vitest';
import { bodyOf, formOf, problemsByField } from './directory-form.ts';

const entry = { rid: 'r-1', name: 'Lille', tags: ['region:north', 'brand:pizza'], timezone: 'Europe/Paris', hours: { mon: [['09:00', '17:00']] as [string, string][], fri: [['11:00', '14:00'], ['18:00', '02:00']] as [string, string][] }, closed: ['2026-12-25'] };

describe('the directory form', () => {
  it('round-trips an entry to the body the hub takes', () => {
    const form = formOf('r-1', entry);
    expect(form.hours.fri).toBe('11:00-14:00, 18:00-02:00');
    expect(form.hours.sun).toBe('');
    expect(bodyOf(form)).toEqual({ name: 'Lille', timezone: 'Europe/Paris', hours: entry.hours, closed: ['2026-12-25'], tags: ['region:north', 'brand:pizza'] });
  });

  it('a restaurant without an entry starts as its id, all day; text the hub will judge is passed as typed', () => {
    const form = formOf('r-9', undefined);
    expect([form.name, form.withHours, form.tags]).toEqual(['r-9', false, '']);
    expect(bodyOf(form)).toEqual({ name: 'r-9', closed: [], tags: [] });
    expect(bodyOf({ ...form, withHours: true, hours: { ...form.hours, tue: '9 – 5, 10:00' } }).hours).toEqual({ tue: [['9', '5'], ['10:00', '']] });
  });

  it('places the hub\'s problems by field', () => {
    const byField = problemsByField([
      { field: 'hours.fri[0][1]', code: 'INVALID_TIME', message: 'x' },
      { field: 'timezone', code: 'TIMEZONE_REQUIRED', message: 'y' },
      { field: 'tags[2]', code: 'INVALID_TAG', message: 'z' },
      { field: 'colour', code: 'UNKNOWN_FIELD', message: 'w' },
    ]);
    expect([...byField.keys()]).toEqual(['hours.fri', 'timezone', 'tags', 'other']);
  });
});
