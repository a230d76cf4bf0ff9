import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCI, redactUrl, requireService } from './services.ts';

/** A port on which nothing listens: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('requireService', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('outside CI, an unreachable service is a skip with a reason saying what and where', async () => {
    vi.stubEnv('CI', '');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const port = await deadPort();
    const reason = await requireService('redis', `redis://:hunter2@127.0.0.1:${port}`);
    expect(reason).toMatch(new RegExp(`redis at redis://:\\*\\*\\*@127.0.0.1:${port}.*unreachable`));
    expect(reason).not.toContain('hunter2');
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('[skip]'));
    stderr.mockRestore();
  });

  it('under CI=true, an unreachable service fails instead of skipping', async () => {
    vi.stubEnv('CI', 'true');
    const port = await deadPort();
    await expect(requireService('redis', `redis://127.0.0.1:${port}`)).rejects.toThrow(/required under CI=true/);
    await expect(requireService('postgres', `postgres://u:p@127.0.0.1:${port}/db`)).rejects.toThrow(/postgres .* required under CI=true/);
  });

  it('reads CI the way CI systems set it', () => {
    for (const [value, ci] of [['true', true], ['1', true], ['false', false], ['0', false], ['', false]] as const) {
      vi.stubEnv('CI', value);
      expect(isCI(), value).toBe(ci);
    }
    expect(redactUrl('not a url')).toBe('(unparsable url)');
  });
});
