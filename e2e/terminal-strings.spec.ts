/**
 * Acceptance: "A terminal id or name containing `<img src=x onerror=alert(1)>` renders as text and
 * runs nothing."
 *
 * Which strings does a terminal control? Its id and restaurant come from its token, and the
 * gateway accepts only ids of letters, digits and . _ : - (a token claiming anything else is
 * refused 4001, and the refusal drops the unverified id). What a terminal fully controls and the
 * dashboard does show is the reason of its close frame: it reaches the live event feed and the
 * restaurant's terminal table ("Last close"). So a real terminal, over a real socket, closes with
 * that reason; and a forged token claiming that id is refused without the id ever reaching a viewer.
 */
import { expect, test, type Page } from '@playwright/test';
import jwt from 'jsonwebtoken';
import { feedTexts, signIn } from './support/dashboard.ts';
import { useSystem } from './support/system-fixture.ts';
import { connectTerminal } from './support/terminal.ts';

const payload = '<img src=x onerror=alert(1)>';
const tid = 'r-001-x9';
const system = useSystem({ scenario: { name: 'e2e-terminal-strings', fleet: { restaurants: 3, terminals: 2 }, network: { default: 'lan' } } });

/** Anything that would mean script ran: a dialog, or an <img> with that src made it into the DOM. */
async function watchForExecution(page: Page): Promise<() => Promise<string[]>> {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return async () => [
    ...dialogs,
    ...(await page.evaluate(() => [...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').map((i) => `img in the DOM: ${i.outerHTML}`))),
  ];
}

test('a close reason with markup shows as text in the feed and the terminal table, and runs nothing', async ({ page }) => {
  const sys = system();
  const executed = await watchForExecution(page);
  await signIn(page, sys.printedLink);

  const token = await sys.terminalToken('r-001', tid);
  const terminal = await connectTerminal(sys.gatewayUrl, token);
  expect(terminal.first?.type).toBe('welcome');
  await expect.poll(async () => (await feedTexts(page)).some((t) => t.includes('Connected') && t.endsWith(`· ${tid}`)), { timeout: 5_000 }).toBe(true);
  expect(await terminal.close(1000, payload)).toBe(1000);

  // The feed shows the reason, literally.
  const feed = page.getByTestId('event-feed');
  await expect(feed.getByText(payload, { exact: false })).toBeVisible({ timeout: 5_000 });
  const line = (await feedTexts(page)).find((t) => t.includes(`· ${tid}`) && t.includes('Disconnected'));
  expect(line).toContain(`1000 client close (by terminal) — ${payload}`);

  // And so does the restaurant's terminal table (reached through the feed's own link).
  await feed.getByRole('link', { name: 'r-001', exact: true }).first().click();
  const row = page.getByTestId(`terminal-row-${tid}`);
  await expect(row).toBeVisible({ timeout: 10_000 });
  await expect(row).toContainText(payload);
  expect(await row.locator('td[title]').getAttribute('title')).toContain(payload);

  expect(await executed(), 'nothing ran').toEqual([]);
});

test('a token claiming a terminal id with markup is refused, and the id never reaches the viewer', async ({ page }) => {
  const sys = system();
  const executed = await watchForExecution(page);
  await signIn(page, sys.printedLink);

  // Anyone can forge a token; this one is signed with a secret the gateway does not know.
  const forged = jwt.sign({ sub: payload, rid: `r-001${payload}` }, 'not-the-pulse-secret-0123456789', { algorithm: 'HS256', expiresIn: 600 });
  const attempt = await connectTerminal(sys.gatewayUrl, forged);
  expect(attempt.first, 'no welcome for a forged token').toBeNull();
  expect(await attempt.closed).toBe(4001);

  const refusals = async () => (await feedTexts(page)).filter((t) => t.includes('Token refused'));
  await expect.poll(async () => (await refusals()).length, { timeout: 5_000 }).toBe(1);
  // The refusal is shown — why, and no claimed id (it was never verified, and is not an id).
  expect((await refusals())[0]).toMatch(/^\d\d:\d\d:\d\d Token refused bad signature$/);
  expect(await executed(), 'nothing ran').toEqual([]);
});
