/**
 * Where the auditor's good tokens come from: the signing secret (`--secret`, `PULSE_SECRET`, the
 * data folder), or a command of the gateway's owners that prints one (`--token-cmd`) — for
 * gateways whose tokens Pulse cannot sign. The command runs once per terminal identity, with
 * `PULSE_AUDIT_RESTAURANT` and `PULSE_AUDIT_TERMINAL` in its environment; its stdout, trimmed, is
 * the token. Tokens are never printed, logged or put in the report.
 */
import { execFileSync } from 'node:child_process';
import { signTerminalToken } from '../auth/tokens.ts';
import type { Identity } from './forged-tokens.ts';

export interface TokenSource {
  /** Known only with `--secret`: the forgeries that need it (expired, HS512, claims, role). */
  readonly secret?: string;
  /** In words, for the report's settings: never the secret itself. */
  readonly describe: string;
  /** A token the gateway should accept for this terminal. */
  issue(who: Identity): string;
}

/** Tokens signed here, valid for 10 minutes from `now()`: long enough for any audit. */
export function secretTokens(secret: string, now: () => number, from = '--secret'): TokenSource {
  return { secret, describe: `signed with the secret (${from})`, issue: (who) => signTerminalToken(secret, who.tid, who.rid, 600, now()) };
}

export function commandTokens(command: string, env: NodeJS.ProcessEnv = process.env): TokenSource {
  const cache = new Map<string, string>();
  return {
    describe: 'printed by --token-cmd',
    issue(who) {
      const key = `${who.rid}\u0000${who.tid}`;
      const hit = cache.get(key);
      if (hit) return hit;
      let out: string;
      try {
        out = execFileSync('/bin/sh', ['-c', command], {
          env: { ...env, PULSE_AUDIT_RESTAURANT: who.rid, PULSE_AUDIT_TERMINAL: who.tid },
          encoding: 'utf8',
          timeout: 15_000,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
      } catch (error) {
        throw new Error(`--token-cmd failed for restaurant ${who.rid}, terminal ${who.tid}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
      }
      const token = out.trim();
      if (!token || /\s/.test(token)) throw new Error(`--token-cmd printed ${token ? 'more than one word' : 'nothing'} for restaurant ${who.rid}, terminal ${who.tid}; it must print one token`);
      cache.set(key, token);
      return token;
    },
  };
}
