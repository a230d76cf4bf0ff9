/**
 * `/api/directory` on a real hub: names, tags, zone, hours and closed days of the directory, cut
 * to a manager's restaurants (not even another's name or tag leaks), whole for support, and a
 * restaurant without an entry is simply absent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { directoryAnswerSchema } from '../../protocol/directory.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { secret, seededHub } from '../stability/test-helpers/seeded-hub.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function directoryFor(url: string, token: string) {
  const res = await fetch(`${url}/api/directory`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return directoryAnswerSchema.parse(await res.json());
}

describe('/api/directory', () => {
  it('answers the entries of the scope only', async () => {
    const hub = await seededHub(cleanups, Date.now(), { entries: [{ rid: 'r-004', name: 'Open late', timezone: 'Europe/Paris', hours: { timezone: 'Europe/Paris', days: { fri: [['18:00', '02:00']] } }, closedDates: ['2026-12-25'], tags: [] }] });
    const all = await directoryFor(hub.url, signViewerToken(secret, { sub: 'sam', role: 'support' }));
    expect(all.restaurants.map((e) => e.rid)).toEqual(['r-001', 'r-002', 'r-003', 'r-004']);
    expect(all.restaurants[3]).toEqual({ rid: 'r-004', name: 'Open late', tags: [], timezone: 'Europe/Paris', hours: { fri: [['18:00', '02:00']] }, closed: ['2026-12-25'] });
    const mine = await directoryFor(hub.url, signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001', 'r-009'] }));
    expect(mine.restaurants).toEqual([{ rid: 'r-001', name: 'Lille <b>centre</b>', tags: ['region:north', 'brand:burgers'], closed: [] }]);
    expect(JSON.stringify(mine)).not.toMatch(/Secret|brand:hidden|Leeds/);
  });
});
