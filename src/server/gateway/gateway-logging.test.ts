/**
 * OWASP: a token in the query string lands in access logs. With logging at debug (the most
 * talkative level the gateway has), a full session by query and by subprotocol, good and bad
 * tokens, writes no token anywhere — while the lines that would carry it are really written.
 */
import { describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { createLogger } from '../log/logger.ts';
import { startGateway } from './gateway.ts';
import { connectTerminal } from './test-helpers/test-terminal.ts';

const secret = 'test-secret-0123456789-abcdef';

describe('gateway logs', () => {
  it('contain no token at debug level', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', name: 'gateway', destination: { write: (s: string) => void lines.push(s) } });
    const gateway = await startGateway({ secret, port: 0, logger, heartbeatIntervalMs: 100, heartbeatGraceMs: 50 });
    const byQuery = signTerminalToken(secret, 'r-001-t1', 'r-001', 60);
    const byProtocol = signTerminalToken(secret, 'r-001-t2', 'r-001', 60);
    const expired = signTerminalToken(secret, 'r-001-t3', 'r-001', 60).replace(/\.[^.]+$/, '.AAAA');
    try {
      const a = connectTerminal(gateway.url, { kind: 'query', token: byQuery });
      const b = connectTerminal(gateway.url, { kind: 'subprotocol', token: byProtocol });
      const c = connectTerminal(gateway.url, { kind: 'query', token: expired });
      await Promise.all([a.next('welcome'), b.next('welcome'), c.closed]);
      a.ws.send('not json');
      // b stays silent and times out: the heartbeat path logs too.
      await Promise.all([a.closed, b.closed]);
    } finally {
      await gateway.close();
    }
    const out = lines.join('');
    for (const token of [byQuery, byProtocol, expired]) {
      expect(out).not.toContain(token);
      expect(out).not.toContain(token.split('.')[2]!); // not even the signature alone
    }
    // The test is only worth something if the request lines were logged at all.
    expect(out).toContain('/ws?token=[REDACTED]');
    expect(out).toContain('heartbeat timeout');
    expect(out).toContain('gateway listening');
  });
});
