import { describe, expect, it } from 'vitest';
import { Router } from './router.ts';

describe('router', () => {
  const router = new Router<string>().get('/api/fleet', 'fleet').get('/api/restaurants/:rid', 'one').get('/api/restaurants/:rid/series', 'series');

  it('matches fixed routes and decodes parameters', () => {
    expect(router.match('GET', '/api/fleet')).toMatchObject({ ok: true, handler: 'fleet', params: {} });
    expect(router.match('GET', '/api/restaurants/r%2D001/series')).toMatchObject({ ok: true, handler: 'series', params: { rid: 'r-001' } });
    expect(router.match('HEAD', '/api/restaurants/r-001')).toMatchObject({ ok: true, handler: 'one', route: '/api/restaurants/:rid' });
  });

  it('tells an unknown path from a wrong method, and refuses malformed escapes', () => {
    expect(router.match('GET', '/api/nope')).toEqual({ ok: false, reason: 'not_found' });
    expect(router.match('POST', '/api/fleet')).toEqual({ ok: false, reason: 'method' });
    expect(router.match('GET', '/api/restaurants/%E0%A4%A/series')).toEqual({ ok: false, reason: 'not_found' });
    expect(router.match('GET', '/api/restaurants/r-001/series/extra')).toEqual({ ok: false, reason: 'not_found' });
  });
});
