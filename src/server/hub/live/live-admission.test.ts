import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { liveSubprotocol } from '../../../protocol/live.ts';
import { signViewerToken } from '../../auth/tokens.ts';
import { bearerTokenOf, normalizeOrigin } from './live-admission.ts';
import { FakeLiveSource } from './test-helpers/fake-live-source.ts';
import { connectViewer, startLive, testOrigin, testSecret, viewerToken, type LiveHarness, type TestViewer } from './test-helpers/live-harness.ts';

let harness: LiveHarness | undefined;
const viewers: TestViewer[] = [];
afterEach(async () => {
  await Promise.all(viewers.splice(0).map((v) => v.close()));
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<LiveHarness> {
  const source = new FakeLiveSource();
  source.set('r-001');
  harness = await startLive({ source });
  return harness;
}

function viewer(options: Parameters<typeof connectViewer>[1]): TestViewer {
  const v = connectViewer(harness!.baseUrl, options);
  viewers.push(v);
  return v;
}

describe('who may open /live', () => {
  const badTokens: [string, string | undefined][] = [
    ['missing', undefined],
    ['garbage', 'not.a.jwt'],
    ['expired', signViewerToken(testSecret, { sub: 'v', role: 'support' }, -10)],
    ['signed with another secret', signViewerToken('another-secret-0123456789', { sub: 'v', role: 'support' })],
    ['alg none', jwt.sign({ role: 'support', sub: 'v', exp: Math.floor(Date.now() / 1000) + 60 }, '', { algorithm: 'none' })],
    ['a manager without restaurants', jwt.sign({ role: 'manager' }, testSecret, { algorithm: 'HS256', subject: 'v', expiresIn: 60 })],
  ];
  for (const [what, token] of badTokens) {
    it(`accepts then closes 4001 "Invalid token" for a token that is ${what}, having sent nothing`, async () => {
      await start();
      const v = viewer({ token });
      await v.opened;
      expect(await v.closed).toEqual({ code: 4001, reason: 'Invalid token' });
      expect(v.raw).toEqual([]);
      const stats = harness!.live.stats();
      expect(stats.refusedToken).toBe(1);
      expect(stats.viewers).toBe(0); // a refused connection is never counted as a viewer
    });
  }

  it('answers the marker subprotocol and never echoes the bearer token', async () => {
    await start();
    const token = viewerToken('support');
    const v = viewer({ token });
    await v.waitFor((f) => f.type === 'snapshot');
    expect(v.ws.protocol).toBe(liveSubprotocol);
    expect(v.responseProtocol).toBe(liveSubprotocol);
    expect(v.responseProtocol).not.toContain(token);
  });

  it('lets in a browser from an allowed origin and a client that sends no Origin', async () => {
    await start();
    const browser = viewer({ token: viewerToken('support'), origin: testOrigin });
    const cli = viewer({ token: viewerToken('engineer') });
    const upperCase = viewer({ token: viewerToken('support'), origin: 'HTTP://127.0.0.1:7400' });
    await Promise.all([browser, cli, upperCase].map((v) => v.waitFor((f) => f.type === 'snapshot')));
    expect(harness!.live.stats().viewers).toBe(3);
  });

  it('closes 4003 for a browser on another origin, even with a valid token', async () => {
    await start();
    const hijack = viewer({ token: viewerToken('support'), origin: 'https://evil.example' });
    const sibling = viewer({ token: viewerToken('support'), origin: 'http://127.0.0.1:7401' });
    expect(await hijack.closed).toEqual({ code: 4003, reason: 'Origin not allowed' });
    expect(await sibling.closed).toEqual({ code: 4003, reason: 'Origin not allowed' });
    expect(hijack.raw).toEqual([]);
    expect(harness!.live.stats()).toMatchObject({ refusedOrigin: 2, viewers: 0 });
  });

  it('leaves other paths to the host server', async () => {
    await start();
    const v = viewer({ token: viewerToken('support'), path: '/livestream' });
    await expect(v.opened).rejects.toThrow();
  });

  it('reads the token from the bearer entry only', () => {
    expect(bearerTokenOf(`${liveSubprotocol}, bearer.abc.def.ghi`)).toBe('abc.def.ghi');
    expect(bearerTokenOf(['bearer.x'])).toBe('x');
    expect(bearerTokenOf('bearer.')).toBeUndefined();
    expect(bearerTokenOf(liveSubprotocol)).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
    expect(normalizeOrigin('HTTP://Localhost:7400/')).toBe('http://localhost:7400');
  });
});
