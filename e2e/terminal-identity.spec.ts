/**
 * Issue 18, item 3, in the browser: two restaurants that each name a till `till-1` (as real POS
 * fleets do) are two terminal pages. The old `/terminals/till-1` lists both to pick from; each
 * restaurant's terminal row links to its own page, which shows that restaurant's till only.
 */
import { expect, test } from '@playwright/test';
import { signIn } from './support/dashboard.ts';
import { useSystem } from './support/system-fixture.ts';
import { connectTerminal, type HandTerminal } from './support/terminal.ts';

const system = useSystem({ heartbeatMs: 1000, graceMs: 500, scenario: { name: 'e2e-terminal-identity', fleet: { restaurants: 2, terminals: 1 }, network: { default: 'lan' } } });

test('a till-1 in each of two restaurants: the old address lists both, each link opens its own', async ({ page }) => {
  const sys = system();
  const tills: HandTerminal[] = [];
  for (const rid of ['r-001', 'r-002']) {
    const t = await connectTerminal(sys.gatewayUrl, await sys.terminalToken(rid, 'till-1'));
    expect(t.first?.type).toBe('welcome');
    tills.push(t);
  }
  // Until the hub has heard of both (the probe's batches, the bus): else the id is still unique.
  const token = new URL(await sys.viewerLink('engineer')).hash.replace('#token=', '');
  const status = async () => (await fetch(`${sys.hubUrl}/api/terminals/till-1/events`, { headers: { authorization: `Bearer ${token}` } })).status;
  await expect.poll(status, { timeout: 15_000 }).toBe(409);
  await signIn(page, sys.printedLink);

  await test.step('the old address is ambiguous: it names both restaurants, each a link', async () => {
    await page.goto(`${sys.hubUrl}/terminals/till-1?window=15m`);
    const choice = page.getByTestId('terminal-ambiguous');
    await expect(choice).toBeVisible({ timeout: 15_000 });
    await expect(choice.getByRole('link')).toHaveText(['r-001 / till-1', 'r-002 / till-1']);
    await choice.getByRole('link', { name: 'r-002 / till-1' }).click();
    await expect(page).toHaveURL(/\/restaurants\/r-002\/terminals\/till-1\?window=15m$/);
    await expect(page.getByTestId('terminal-page')).toHaveAttribute('data-rid', 'r-002');
  });

  await test.step("each restaurant's row links to its own till-1", async () => {
    await page.goto(`${sys.hubUrl}/restaurants/r-001`);
    const link = page.getByTestId('terminal-row-till-1').getByRole('link', { name: 'till-1', exact: true });
    await expect(link).toHaveAttribute('href', '/restaurants/r-001/terminals/till-1');
    await link.click();
    await expect(page.getByTestId('terminal-page')).toHaveAttribute('data-rid', 'r-001');
    await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText('r-001');
  });

  for (const t of tills) await t.close(1000, 'done');
});
