import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl, scrubSecrets } from './logger.ts';

const jwtish = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyLTAwMS10MSJ9.c2lnbmF0dXJl';

function capture(level: 'debug' | 'info' = 'debug') {
  const lines: string[] = [];
  const logger = createLogger({ level, name: 'test', destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines, text: () => lines.join('') };
}

describe('redactUrl', () => {
  it('keeps the path and the parameter name, drops the value', () => {
    expect(redactUrl(`/ws?token=${jwtish}`)).toBe('/ws?token=[REDACTED]');
    expect(redactUrl(`/ws?a=1&token=${jwtish}&b=2`)).toBe('/ws?a=1&token=[REDACTED]&b=2');
    expect(redactUrl(`/ws?access_token=abc`)).toBe('/ws?access_token=[REDACTED]');
    expect(redactUrl('/ws?x=1')).toBe('/ws?x=1');
    expect(redactUrl(undefined)).toBe('');
  });
});

describe('scrubSecrets', () => {
  it('removes bearer subprotocols and anything shaped like a JWT', () => {
    expect(scrubSecrets(`pulse.v1, bearer.${jwtish}`)).toBe('pulse.v1, bearer.[REDACTED]');
    expect(scrubSecrets(`Authorization: Bearer abc.def`)).toBe('Authorization: Bearer [REDACTED]');
    expect(scrubSecrets(`saw ${jwtish} here`)).toBe('saw [REDACTED] here');
    expect(scrubSecrets('nothing to see')).toBe('nothing to see');
  });
});

describe('createLogger', () => {
  it('never writes a token, whether in a known field, a stray string field, the message or an error', () => {
    const { logger, text } = capture();
    logger.info({ token: jwtish }, 'field');
    logger.info({ req: { headers: { 'sec-websocket-protocol': `bearer.${jwtish}`, authorization: `Bearer ${jwtish}` } } }, 'headers');
    logger.info({ url: `/ws?token=${jwtish}` }, 'url field');
    logger.info(`message with /ws?token=${jwtish}`);
    logger.info('format %s', `bearer.${jwtish}`);
    logger.error({ err: new Error(`bad input ${jwtish}`) }, 'error');
    const out = text();
    expect(out).not.toContain(jwtish);
    expect(out).not.toContain('c2lnbmF0dXJl');
    expect(out).toContain('token=[REDACTED]');
    expect(out.split('\n').filter(Boolean)).toHaveLength(6);
  });

  it('honours the level and the name', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.info('shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ name: 'test', msg: 'shown', level: 30 });
  });
});
