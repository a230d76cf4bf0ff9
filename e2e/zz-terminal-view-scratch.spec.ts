// Scratch check of the terminal view (not committed): flap, silent (4008), bad token, fast retries.
import { expect, test } from '@playwright/test';
import { signIn } from './support/dashboard.ts';
import { useSystem } from './support/system-fixture.ts';

const system = useSystem({
  heartbeatMs: 1000,
  graceMs: 500,
  scenario: {
    name: 'scratch-terminal',
    fleet: { restaurants: 2, terminals: 2 },
    network: { default: 'lan' },
    faults: [
      { type: 'flap', at: 2, duration: 1.5, everyS: 1, terminals: ['r-001-t1'] },
      { type: 'silent', at: 6, duration: 3, terminals: ['r-001-t1'] },
      { type: 'bad-token', at: 14, duration: 3, kind: 'expired', terminals: ['r-001-t1'] },
      { type: 'ignore-backoff', at: 20, duration: 4, terminals: ['r-001-t1'] },
    ],
  },
});

test('terminal view shows the timeline and the report', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, system().printedLink);
  await page.waitForTimeout(27_000);
  await page.goto(page.url().replace(/\/(#.*)?$/, '/terminals/r-001-t1?window=15m'), { waitUntil: 'domcontentloaded' });
  const t0 = Date.now();
  await expect(page.getByTestId('diagnostic-report')).toBeVisible({ timeout: 15_000 });
  console.log('report visible after', Date.now() - t0, 'ms');
  await page.waitForTimeout(3000);
  console.log('ISSUES', await page.getByTestId('report-issues').innerText().catch(() => '(none)'));
  console.log('LINES', await page.getByTestId('report-lines').innerText());
  console.log('CODES', await page.locator('[data-testid=disconnect-table] tr[data-code]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')).join(',')));
  console.log('HB', await page.getByTestId('heartbeat-counts').innerText());
  const download = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const d = await download;
  console.log('FILE', d.suggestedFilename());
  const path = await d.path();
  const fs = await import('node:fs');
  const csv = fs.readFileSync(path, 'utf8');
  console.log('CSV rows', csv.trim().split('\r\n').length - 1);
  await page.screenshot({ path: '/tmp/terminal-view.png', fullPage: true });
});
