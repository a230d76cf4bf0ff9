/**
 * The HS256 signing secret shared by token issuer, gateway and hub.
 * `PULSE_SECRET` wins; otherwise one is generated once into `<data>/secret` (mode 0600) and reused,
 * so that tokens printed by `pulse token` keep working across restarts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const defaultDataDir = './data';

export type SecretSource = 'env' | 'file' | 'generated';

export function loadSecret(dataDir = defaultDataDir, env: NodeJS.ProcessEnv = process.env): { secret: string; source: SecretSource; path?: string } {
  const fromEnv = env.PULSE_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 16) throw new Error('PULSE_SECRET must be at least 16 characters long');
    return { secret: fromEnv, source: 'env' };
  }
  const path = join(dataDir, 'secret');
  try {
    const secret = readFileSync(path, 'utf8').trim();
    if (secret.length < 16) throw new Error(`${path} holds a secret shorter than 16 characters; delete it to generate a new one`);
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { secret, source: 'file', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' fails if another process created the file meanwhile; then read theirs.
  try {
    writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSecret(dataDir, env);
    throw error;
  }
  return { secret, source: 'generated', path };
}
