/**
 * The end-to-end suite (issue 4's acceptance): a real browser against the real system each spec
 * starts (hub, gateway, simulator as child processes). One worker: the machine has two cores and
 * each spec already runs several processes; retries 0, so a flaky spec shows as a failure.
 * Screenshots the acceptance asks for are saved by the specs under test-results/screens/.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts$/,
  globalSetup: './global-setup.ts',
  outputDir: '../test-results',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 5_000 },
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 1000 },
    launchOptions: {
      executablePath: process.env.PULSE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
    // No traces: they record the sign-in URL (token in its fragment) and the stream's bearer
    // subprotocol. The harness attaches every process's output, redacted, to a failed test.
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
