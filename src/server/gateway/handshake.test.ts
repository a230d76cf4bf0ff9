import { describe, expect, it } from 'vitest';
import { pathOf, selectProtocol, tokenOf } from './handshake.ts';

const req = (url: string, protocol?: string) => ({ url, headers: protocol === undefined ? {} : { 'sec-websocket-protocol': protocol } });

describe('tokenOf', () => {
  it('reads the bearer subprotocol wherever it is offered, and prefers it to the query', () => {
    expect(tokenOf(req('/ws', 'bearer.abc'))).toEqual({ token: 'abc', via: 'subprotocol' });
    expect(tokenOf(req('/ws', 'pulse.v1, bearer.abc'))).toEqual({ token: 'abc', via: 'subprotocol' });
    expect(tokenOf(req('/ws?token=q', 'pulse.v1,bearer.abc'))).toEqual({ token: 'abc', via: 'subprotocol' });
  });
  it('falls back to the legacy query, decoded', () => {
    expect(tokenOf(req('/ws?x=1&token=a%2Eb'))).toEqual({ token: 'a.b', via: 'query' });
    expect(tokenOf(req('/ws?token=q', 'pulse.v1'))).toEqual({ token: 'q', via: 'query' });
  });
  it('reports a missing token as undefined, never as an empty string to verify', () => {
    expect(tokenOf(req('/ws')).token).toBeUndefined();
    expect(tokenOf(req('/ws?token=')).token).toBeUndefined();
    expect(tokenOf(req('/ws', 'bearer.')).token).toBeUndefined();
  });
});

describe('pathOf', () => {
  it('drops the query, which may carry a token', () => {
    expect(pathOf('/ws?token=abc')).toBe('/ws');
    expect(pathOf('/metrics')).toBe('/metrics');
    expect(pathOf(undefined)).toBe('/');
  });
});

describe('selectProtocol', () => {
  it('selects only the fixed protocol, never an offered token', () => {
    expect(selectProtocol(new Set(['bearer.abc', 'pulse.v1']))).toBe('pulse.v1');
    expect(selectProtocol(new Set(['bearer.abc']))).toBe(false);
    expect(selectProtocol(new Set(['something-else']))).toBe(false);
  });
});
