/** `--store` values: what is accepted, what is refused and why, and that a password is never shown. */
import { describe, expect, it } from 'vitest';
import { describeStore, parseStoreChoice } from './open-store.ts';

describe('--store', () => {
  it('takes sqlite or a PostgreSQL URL, with an optional schema', () => {
    expect(parseStoreChoice('sqlite')).toEqual({ kind: 'sqlite' });
    expect(parseStoreChoice('postgres://pulse@db:5432/pulse')).toEqual({ kind: 'postgres', url: 'postgres://pulse@db:5432/pulse' });
    expect(parseStoreChoice('postgresql://db/pulse?schema=eu_1')).toEqual({ kind: 'postgres', url: 'postgresql://db/pulse?schema=eu_1' });
  });

  it('refuses anything else with the reason', () => {
    expect(() => parseStoreChoice('mysql://db/x')).toThrow(/"sqlite" or a postgres:\/\//);
    expect(() => parseStoreChoice('./data')).toThrow(/"sqlite" or a postgres:\/\//);
    expect(() => parseStoreChoice('postgres:///pulse')).toThrow(/needs a host/);
    expect(() => parseStoreChoice('postgres://db/pulse?schema=a-b')).toThrow(/letters, digits and _/);
  });

  it('describes the store for the banner without the password', () => {
    const described = describeStore(parseStoreChoice('postgres://pulse:s3cret@db.internal:5432/pulse?schema=eu_1'), './data');
    expect(described).toBe('PostgreSQL postgres://pulse@db.internal:5432/pulse schema eu_1');
    expect(describeStore({ kind: 'sqlite' }, './data')).toBe('SQLite in ./data');
  });
});
