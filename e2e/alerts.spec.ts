/**
 * Alerts in the dashboard (issue 14) on the real system — hub, gateway and `pulse sim` as child
 * processes — with an alerts file of its own and a real webhook receiver on loopback that answers
 * the first delivery 503. An outage takes r-002 and r-003 offline for long enough to work with:
 *
 * - the header counts the firing alerts and `/alerts` lists them;
 * - the delivery log from r-002's row shows the webhook's attempts: a 503, then 204 after a retry;
 * - an engineer silences r-002's alert from the page: it shows silenced, the silence is listed
 *   with who (from the token) and why, and the receiver hears it resolved as `silenced`;
 * - r-003's manager sees r-003 only: no r-002 alert, no silence of r-002, no silence form.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { webhookBodySchema, webhookHeaders } from '../src/protocol/alerts.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../src/server/alerts/test-helpers/webhook-receiver.ts';
import { signIn } from './support/dashboard.ts';
import { startPulseSystem, type PulseSystem } from './support/pulse-system.ts';

const hookSecret = 'e2e-webhook-secret-0123456789abcdef';
let system: PulseSystem | undefined;
let receiver: WebhookReceiver | undefined;
let dir: string | undefined;

test.beforeAll(async () => {
  test.setTimeout(60_000);
  receiver = await startWebhookReceiver();
  // The first delivery is refused: the log must show the retry.
  receiver.failNext(1, 503);
  dir = mkdtempSync(join(tmpdir(), 'pulse-e2e-alerts-'));
  const alertsFile = join(dir, 'alerts.json');
  writeFileSync(
    alertsFile,
    JSON.stringify({
      rules: [{ id: 'restaurant-offline', name: 'Restaurant offline', metric: 'offline', severity: 'critical', for: '2s' }],
      webhooks: [{ id: 'ops', url: receiver.url, secret: hookSecret }],
    }),
  );
  system = await startPulseSystem({
    heartbeatMs: 1000,
    graceMs: 500,
    alertsFile,
    scenario: {
      name: 'e2e-alerts',
      fleet: { restaurants: 4, terminals: 2 },
      network: { default: 'lan' },
      faults: [{ type: 'outage', at: 6, duration: 300, restaurants: ['r-002', 'r-003'] }],
    },
  });
});

// eslint-disable-next-line no-empty-pattern
test.afterEach(async ({}, testInfo) => {
  if (system && testInfo.status !== testInfo.expectedStatus) await testInfo.attach('processes.log', { body: system.logs(), contentType: 'text/plain' });
});

test.afterAll(async () => {
  await system?.stop();
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sys = (): PulseSystem => {
  if (!system) throw new Error('the system did not start (see beforeAll)');
  return system;
};

const alertRow = (page: Page, rid: string) => page.getByTestId('active-alert').filter({ hasText: rid });
const hooks = () => receiver!.received.map((r) => ({ r, body: webhookBodySchema.parse(JSON.parse(r.raw)) }));

test('an outage fires in the header and the list; the delivery log shows the retry; an engineer silences it from the page', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, sys().printedLink);
  const count = page.getByTestId('alert-count');
  // r-002 and r-003: offline from the outage at 6 s, firing 2 s later.
  await expect(count).toHaveAttribute('data-firing', '2', { timeout: 40_000 });
  await count.click();
  await expect(page).toHaveURL(/\/alerts$/);
  const r002 = alertRow(page, 'r-002');
  await expect(r002).toHaveAttribute('data-phase', 'firing');
  await expect(r002).toContainText('Firing');
  await expect(alertRow(page, 'r-003')).toHaveAttribute('data-phase', 'firing');

  // The delivery log, from the row: the receiver's 503, then its 204 after a backoff (~1 s).
  await r002.getByTestId('open-deliveries').click();
  const log = page.getByTestId('delivery-log');
  const firingDelivery = log.getByTestId('delivery').filter({ hasText: 'ops' }).first();
  await expect(firingDelivery).toHaveAttribute('data-state', 'delivered', { timeout: 15_000 });
  await expect(firingDelivery.getByTestId('delivery-attempt')).toHaveCount(2);
  await expect(firingDelivery.getByTestId('delivery-attempt').nth(0)).toContainText('HTTP 503');
  await expect(firingDelivery.getByTestId('delivery-attempt').nth(1)).toContainText('HTTP 204');

  // Silence r-002's alert for 2 hours, with a reason.
  await r002.getByTestId('open-silence').click();
  const form = page.getByTestId('silence-form');
  await expect(form.getByLabel('Restaurant offline at r-002')).toBeChecked();
  await form.getByTestId('silence-hours').fill('2');
  await form.getByTestId('silence-why').fill('till swap <b>tonight</b>');
  await form.getByTestId('silence-submit').click();
  await expect(form).toHaveCount(0);
  await expect(r002).toHaveAttribute('data-phase', 'silenced', { timeout: 10_000 });
  await expect(r002).toContainText('Silenced');
  await expect(count).toHaveAttribute('data-firing', '1');
  await expect(alertRow(page, 'r-003')).toHaveAttribute('data-phase', 'firing');

  // Listed with who (the token's subject) and why — as text.
  const silence = page.getByTestId('silence').filter({ hasText: 'r-002' });
  await expect(silence).toContainText('rule restaurant-offline · r-002');
  await expect(silence).toContainText('pulse-hub');
  await expect(silence).toContainText('till swap <b>tonight</b>');
  await expect(silence.getByTestId('lift-silence')).toBeVisible();

  // The episode ended as silenced; the receiver heard firing then resolved, both signed.
  const episode = page.getByTestId('alert-episode').filter({ hasText: 'r-002' }).first();
  await expect(episode).toContainText('(silenced)');
  await expect.poll(() => hooks().filter((h) => h.body.alert.subject.kind === 'restaurant' && h.body.alert.subject.rid === 'r-002' && h.r.headers[webhookHeaders.signature] !== undefined).map((h) => [h.body.status, h.body.alert.endedBy]), { timeout: 10_000 }).toEqual([
    ['firing', null],
    ['firing', null],
    ['resolved', 'silenced'],
  ]);
  for (const { r } of hooks()) expect(r.headers[webhookHeaders.signature]).toBe(`sha256=${createHmac('sha256', hookSecret).update(r.raw).digest('hex')}`);
  // The history row's log has both deliveries.
  await episode.getByTestId('open-episode-deliveries').click();
  await expect(page.getByTestId('delivery-log').getByTestId('delivery')).toHaveCount(2);
  await page.screenshot({ path: 'test-results/screens/alerts-silenced.png', fullPage: true });
});

test('a manager sees only their own restaurant\'s alerts and silences, and cannot silence', async ({ page }) => {
  await signIn(page, await sys().viewerLink('manager', ['r-003']));
  const count = page.getByTestId('alert-count');
  await expect(count).toHaveAttribute('data-firing', '1', { timeout: 20_000 });
  await count.click();
  await expect(alertRow(page, 'r-003')).toHaveAttribute('data-phase', 'firing');
  await expect(page.getByTestId('active-alert')).toHaveCount(1);
  await expect(page.getByTestId('alert-episode').filter({ hasText: 'r-002' })).toHaveCount(0);
  await expect(page.getByTestId('open-silence')).toHaveCount(0);
  // The r-002 silence does not touch r-003: not listed.
  await expect(page.getByText('Nothing is silenced.')).toBeVisible();
  await expect(page.locator('main')).not.toContainText('r-002');
});
