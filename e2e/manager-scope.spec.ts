/**
 * Acceptance: "A manager link shows only that manager's restaurants, fleet totals included; a deep
 * link to another restaurant shows 'not in your scope' and no data."
 *
 * "No data" is checked where data could leak, not only on screen: every frame the page received on
 * `/live` and every `/api` answer it got, byte for byte, never name a restaurant outside the scope.
 */
import { expect, test } from '@playwright/test';
import { captureLiveFrames, connectedTile, openLink, parsePair, restaurantRows, signIn } from './support/dashboard.ts';
import { useSystem } from './support/system-fixture.ts';
import { faultEnd } from './support/truth.ts';

const terminals = 3;
const mine = ['r-001', 'r-002'];
const others = ['r-003', 'r-004', 'r-005'];
const system = useSystem({
  scenario: {
    name: 'e2e-manager-scope',
    fleet: { restaurants: 5, terminals },
    network: { default: 'lan' },
    // Something happens outside the scope while the manager watches: events the hub must keep away.
    faults: [{ type: 'outage', at: 3, duration: 2, every: 4, restaurants: ['r-003'] }],
  },
});

test('a manager sees only r-001 and r-002, totals over those only; r-003 is "not in your scope" and never sent', async ({ page }) => {
  const sys = system();
  const link = await sys.viewerLink('manager', mine);
  const frames = captureLiveFrames(page);
  const apiBodies: { url: string; body: string }[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/')) {
      void response.text().then(
        (body) => apiBodies.push({ url: response.url(), body }),
        () => undefined,
      );
    }
  });

  await signIn(page, link);
  await expect(page.getByTestId('scope-title')).toHaveText('Your restaurants (2)');
  await expect.poll(async () => (await restaurantRows(page)).map((r) => r.rid).sort(), { timeout: 10_000 }).toEqual(mine);
  await expect
    .poll(async () => (await restaurantRows(page)).reduce((n, r) => n + r.connections, 0), { message: 'both restaurants fully connected', timeout: 10_000 })
    .toBe(mine.length * terminals);

  // Totals are over the scope: the connected tile and the healthy tile equal the sum of the rows.
  // Read after the r-003 outage has come and gone at least once (plus a tick): it must move nothing here.
  await expect.poll(() => faultEnd(sys.truth(), 0) !== undefined, { message: 'an r-003 outage ended', timeout: 15_000 }).toBe(true);
  await page.waitForTimeout(1_500);
  const rows = await restaurantRows(page);
  expect(rows.map((r) => r.rid).sort()).toEqual(mine);
  expect(await connectedTile(page)).toEqual([rows.reduce((n, r) => n + r.connections, 0), rows.reduce((n, r) => n + r.expected, 0)]);
  expect(rows.reduce((n, r) => n + r.expected, 0)).toBe(mine.length * terminals);
  const [healthy, total] = parsePair(await page.getByTestId('kpi-healthy-value').innerText());
  expect(total).toBe(mine.length);
  expect(healthy).toBe(rows.filter((r) => r.status === 'healthy').length);
  // The feed holds only its restaurants' events, although r-003 has been dropping out.
  const feed = await page.getByTestId('event-feed').innerText();
  expect(feed).toContain('r-001');
  for (const rid of others) expect(feed).not.toContain(rid);

  // A deep link to someone else's restaurant.
  await openLink(page, `${sys.hubUrl}/restaurants/r-003`);
  await expect(page.getByTestId('not-in-scope')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not in your scope');
  await expect(page.getByTestId('restaurant-page')).toHaveCount(0);
  await expect(page.getByTestId('terminal-table')).toHaveCount(0);
  await expect(page.locator('[data-testid^="kpi-"]')).toHaveCount(0);
  await page.waitForTimeout(1_500); // a tick or so, for any late answer to arrive

  // What reached the browser: frames on both page loads' sockets, and every API answer.
  expect(frames.filter((f) => f.text.startsWith('{"type":"delta"')).length).toBeGreaterThanOrEqual(5);
  expect(frames.some((f) => f.text.includes('"r-001"')), 'the capture works: its own restaurants are in it').toBe(true);
  for (const f of frames) for (const rid of others) expect(f.text.includes(rid), `a /live frame mentions ${rid}`).toBe(false);
  for (const { url, body } of apiBodies) for (const rid of others) expect(body.includes(rid), `${new URL(url).pathname} answered about ${rid}`).toBe(false);

  // The hub itself refuses, whatever a page asks: the same answer as for a restaurant that does not exist.
  const token = new URL(link).hash.replace(/^#token=/, '');
  const refused = await page.request.get(`${sys.hubUrl}/api/restaurants/r-003`, { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain('NOT_IN_SCOPE');
  expect(await refused.text()).not.toMatch(/connections|terminals/);
});
