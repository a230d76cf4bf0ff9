import { test } from '@playwright/test';

/** A measured figure, kept as a test annotation and printed once, so the run's output can be quoted. */
export function measured(line: string): void {
  test.info().annotations.push({ type: 'measured', description: line });
  console.log(`  measured: ${line}`);
}
