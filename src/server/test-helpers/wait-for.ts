/** Polling waits for integration tests, where "eventually" is the honest assertion. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 10 ms until it holds or `timeoutMs` passes (then throws, naming `what`). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(10);
  }
  if (!check()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
