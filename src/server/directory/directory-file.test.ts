/**
 * The restaurants file: the shipped example parses, every problem is reported with where it is,
 * and the watcher takes good edits and keeps the last good directory on a bad one (real files,
 * real fs.watch).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import { parseRestaurantsFile } from './directory-file.ts';
import { watchRestaurantsFile } from './directory-watch.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('parseRestaurantsFile', () => {
  it('reads the shipped example for the simulated fleet', () => {
    const r = parseRestaurantsFile(readFileSync('config/restaurants.example.json', 'utf8'));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const e = r.directory.entry('r-001')!;
    expect(e.name).toBe('Pizza #1 Leeds');
    expect(e.hours?.timezone).toBe('Europe/London');
    expect(e.tags).toContain('brand:pizza');
    expect(r.directory.entry('r-012')!.hours).toBeUndefined();
    expect(r.directory.entry('r-999')).toBeUndefined();
  });

  it('names every bad entry and field', () => {
    const r = parseRestaurantsFile(
      JSON.stringify({
        restaurants: [
          { id: 'ok-1', name: 'Fine' },
          { id: 'bad-tz', timezone: 'Mars/Olympus' },
          { id: 'no-tz', hours: { mon: [['09:00', '17:00']] } },
          { id: 'bad-time', timezone: 'UTC', hours: { fri: [['25:00', '02:00']] }, closed: ['2026-02-30'] },
          { id: 'ok-1' },
        ],
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['restaurants[1].timezone', 'restaurants[2].timezone', 'restaurants[3].hours.fri[0][0]', 'restaurants[3].closed[0]']));
    expect(r.problems.find((p) => p.path === 'restaurants[2].timezone')!.message).toMatch(/need the restaurant's timezone/);
  });

  it('points at the line of broken JSON', () => {
    const r = parseRestaurantsFile('{\n  "restaurants": [\n    { "id": "x", }\n  ]\n}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.path).toMatch(/^line 3, column \d+$/);
  });
});

describe('watchRestaurantsFile', () => {
  it('takes a good edit, keeps the last good directory on a bad one and logs why', async () => {
    const tmp = makeTempDir('pulse-directory-');
    cleanups.push(tmp.remove);
    const path = join(tmp.dir, 'restaurants.json');
    writeFileSync(path, JSON.stringify({ restaurants: [{ id: 'r-001', name: 'First' }] }));
    const warnings: string[] = [];
    const w = watchRestaurantsFile({ path, debounceMs: 20, logger: { info() {}, warn: (_o, msg) => warnings.push(msg) } });
    cleanups.push(() => w.close());
    expect(await w.reload()).toBe(true);
    expect(w.current().entry('r-001')!.name).toBe('First');

    // Saved the way editors do: a new file renamed over the old one.
    writeFileSync(`${path}.tmp`, JSON.stringify({ restaurants: [{ id: 'r-001', name: 'Renamed' }] }));
    renameSync(`${path}.tmp`, path);
    await waitFor('the edit to be taken', () => w.current().entry('r-001')?.name === 'Renamed');

    writeFileSync(path, JSON.stringify({ restaurants: [{ id: 'r-001', name: 'Broken', timezone: 'Nowhere/Else' }] }));
    await waitFor('the bad edit to be refused', () => warnings.length > 0);
    expect(warnings[0]).toMatch(/restaurants\[0\]\.timezone: not an IANA time zone/);
    expect(w.current().entry('r-001')!.name).toBe('Renamed');
  });
});
