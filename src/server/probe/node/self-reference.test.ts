/**
 * `import { attachProbe } from 'pulse/probe'` — the name a gateway uses (package.json `exports`,
 * resolved by self-reference inside this repository) — is the same module as the relative one.
 */
import { describe, expect, it } from 'vitest';
import { attachProbe as byName } from 'pulse/probe';
import { attachProbe } from './index.ts';

describe('pulse/probe', () => {
  it('resolves to src/server/probe/node/index.ts', () => {
    expect(byName).toBe(attachProbe);
  });
});
