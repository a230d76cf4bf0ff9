/**
 * `PUT /api/directory/:rid` on a real hub over a real restaurants file (real fs.watch): an
 * engineer's edit is written back into the file atomically, the other entries untouched, and is in
 * force at once (the directory, the stability review); wrong fields are refused each with its own
 * code and the file left as it was; managers and support get 403 FORBIDDEN; a file broken on disk
 * is not overwritten; a hub without a file answers 409 DIRECTORY_READ_ONLY.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiErrorBodySchema } from '../../protocol/api.ts';
import { directoryAnswerSchema, directoryEditAnswerSchema } from '../../protocol/directory.ts';
import { stabilityAnswerSchema } from '../../protocol/stability.ts';
import { signViewerToken } from '../auth/tokens.ts';
import type { Hub } from '../hub/hub.ts';
import { secret, seededHub } from '../stability/test-helpers/seeded-hub.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { parseRestaurantsFile } from './directory-file.ts';
import { watchRestaurantsFile } from './directory-watch.ts';

const engineer = signViewerToken(secret, { sub: 'eve', role: 'engineer' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const original = { restaurants: [{ id: 'r-001', name: 'Lille centre', tags: ['region:north'] }, { id: 'r-002', name: 'Leeds', tags: ['region:south'], closed: ['2026-12-25'] }] };

async function hubWithFile(): Promise<{ hub: Hub; file: string; dir: string }> {
  const tmp = makeTempDir('pulse-directory-edit-');
  cleanups.push(tmp.remove);
  const file = join(tmp.dir, 'restaurants.json');
  writeFileSync(file, JSON.stringify(original));
  const watch = watchRestaurantsFile({ path: file, debounceMs: 20, logger: { info() {}, warn() {} } });
  cleanups.push(() => watch.close());
  await watch.reload();
  return { hub: await seededHub(cleanups, Date.now(), { watch }), file, dir: tmp.dir };
}

async function put(hub: Hub, rid: string, body: unknown, token = engineer): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${hub.url}/api/directory/${rid}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const refusal = (r: { status: number; body: unknown }) => [r.status, apiErrorBodySchema.parse(r.body).error.code];

describe('PUT /api/directory/:rid', () => {
  it('writes an engineer\'s edit into the file, in force at once, the other entries untouched', async () => {
    const { hub, file, dir } = await hubWithFile();
    const edit = { name: 'Lille gare', timezone: 'Europe/Paris', hours: { mon: [['09:00', '17:00']], fri: [['18:00', '02:00']] }, tags: ['region:north', 'brand:burgers'] };
    const r = await put(hub, 'r-001', edit);
    expect(r.status).toBe(200);
    expect(directoryEditAnswerSchema.parse(r.body).entry).toEqual({ rid: 'r-001', name: 'Lille gare', tags: ['region:north', 'brand:burgers'], timezone: 'Europe/Paris', hours: edit.hours, closed: [] });

    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as typeof original;
    expect(onDisk.restaurants).toEqual([{ id: 'r-001', ...edit }, original.restaurants[1]]);
    expect(parseRestaurantsFile(readFileSync(file, 'utf8')).ok).toBe(true);
    // Renamed into place: no temporary file left beside it.
    expect(readdirSync(dir).filter((f) => f.includes('restaurants'))).toEqual(['restaurants.json']);

    const auth = { headers: { authorization: `Bearer ${engineer}` } };
    const dirAnswer = directoryAnswerSchema.parse(await (await fetch(`${hub.url}/api/directory`, auth)).json());
    expect(dirAnswer.restaurants.map((e) => [e.rid, e.name])).toEqual([['r-001', 'Lille gare'], ['r-002', 'Leeds']]);
    const review = stabilityAnswerSchema.parse(await (await fetch(`${hub.url}/api/stability?period=7d`, auth)).json());
    expect(review.restaurants.find((x) => x.rid === 'r-001')).toMatchObject({ name: 'Lille gare', withHours: true });

    // A new restaurant is added; two edits at once both land.
    const [a, b] = await Promise.all([put(hub, 'r-007', { name: 'Seven' }), put(hub, 'r-002', { name: 'Leeds station', tags: ['region:south'] })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const after = JSON.parse(readFileSync(file, 'utf8')) as typeof original;
    expect(after.restaurants.map((e) => [e.id, e.name])).toEqual([['r-001', 'Lille gare'], ['r-002', 'Leeds station'], ['r-007', 'Seven']]);
  });

  it('refuses wrong fields each with its code, and leaves the file as it was', async () => {
    const { hub, file } = await hubWithFile();
    const before = readFileSync(file, 'utf8');
    const r = await put(hub, 'r-001', { timezone: 'Mars/Olympus', hours: { fri: [['25:00', '02:00']] }, closed: ['2026-02-30'], tags: [''], colour: 'red' });
    expect(refusal(r)).toEqual([400, 'DIRECTORY_INVALID']);
    const problems = apiErrorBodySchema.parse(r.body).error.problems!;
    expect(problems.map((p) => [p.field, p.code])).toEqual(expect.arrayContaining([
      ['timezone', 'INVALID_TIMEZONE'], ['hours.fri[0][0]', 'INVALID_TIME'], ['closed[0]', 'INVALID_DATE'], ['tags[0]', 'INVALID_TAG'], ['colour', 'UNKNOWN_FIELD'],
    ]));
    const noZone = await put(hub, 'r-001', { hours: { mon: [['09:00', '17:00']] } });
    expect(apiErrorBodySchema.parse(noZone.body).error.problems).toEqual([{ field: 'timezone', code: 'TIMEZONE_REQUIRED', message: 'opening hours need the restaurant\'s timezone' }]);
    expect(apiErrorBodySchema.parse((await put(hub, 'bad id!', {})).body).error.problems!.map((p) => p.code)).toEqual(['INVALID_ID']);
    expect(apiErrorBodySchema.parse((await put(hub, 'r-001', [1])).body).error.problems!.map((p) => p.code)).toEqual(['INVALID_BODY']);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('managers and support are refused; a file broken on disk is not overwritten', async () => {
    const { hub, file } = await hubWithFile();
    for (const token of [signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001'] }), signViewerToken(secret, { sub: 'sam', role: 'support' })]) {
      expect(refusal(await put(hub, 'r-001', { name: 'Mine now' }, token))).toEqual([403, 'FORBIDDEN']);
    }
    const handEdit = '{ "restaurants": [ { "id": "r-001", "name": "half typed", } ] }';
    writeFileSync(file, handEdit);
    expect(refusal(await put(hub, 'r-001', { name: 'From the dashboard' }))).toEqual([409, 'DIRECTORY_FILE_INVALID']);
    expect(readFileSync(file, 'utf8')).toBe(handEdit);
  });

  it('a hub without a restaurants file is read-only', async () => {
    const hub = await seededHub(cleanups);
    expect(refusal(await put(hub, 'r-001', { name: 'x' }))).toEqual([409, 'DIRECTORY_READ_ONLY']);
  });
});
