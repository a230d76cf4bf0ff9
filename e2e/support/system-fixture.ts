/**
 * One system per spec file: started before its tests, stopped after them, and — when a test
 * fails — every process's output (tokens redacted) attached to the report, since the cause of an
 * e2e failure is as often in the hub's log as on the page.
 */
import { test } from '@playwright/test';
import { startPulseSystem, type PulseSystem, type SystemOptions } from './pulse-system.ts';

export function useSystem(options: SystemOptions): () => PulseSystem {
  let system: PulseSystem | undefined;
  test.beforeAll(async () => {
    test.setTimeout(60_000);
    system = await startPulseSystem(options);
  });
  // Playwright reads the fixtures a hook wants from its first parameter's pattern: none here.
  // eslint-disable-next-line no-empty-pattern
  test.afterEach(async ({}, testInfo) => {
    if (system && testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('processes.log', { body: system.logs(), contentType: 'text/plain' });
    }
  });
  test.afterAll(async () => {
    await system?.stop();
    system = undefined;
  });
  return () => {
    if (!system) throw new Error('the system did not start (see beforeAll)');
    return system;
  };
}
