import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, isNotInScope, shouldRetry } from './api-client.ts';

function fetchAnswering(status: number, body: unknown, seen: Array<{ url: string; init: RequestInit | undefined }> = []): typeof fetch {
  return (async (url: string, init?: RequestInit) => {
    seen.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('api client', () => {
  it('sends the token as a bearer header and parses the answer', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const api = createApiClient({ token: 'jwt', fetch: fetchAnswering(200, { n: 1 }, seen), onUnauthorized: () => {} });
    await expect(api.get('/api/x', (raw) => (raw as { n: number }).n)).resolves.toBe(1);
    expect((seen[0]!.init!.headers as Record<string, string>).Authorization).toBe('Bearer jwt');
  });

  it('a 401 reports the refused sign-in and throws with the hub code', async () => {
    let refused = 0;
    const api = createApiClient({ token: 'jwt', fetch: fetchAnswering(401, { error: { code: 'TOKEN_EXPIRED', message: 'Invalid token' } }), onUnauthorized: () => refused++ });
    const error = await api.get('/api/x', (r) => r).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('TOKEN_EXPIRED');
    expect(refused).toBe(1);
  });

  it('a 403 NOT_IN_SCOPE is not retried and reads as not in scope', async () => {
    const api = createApiClient({ token: 'jwt', fetch: fetchAnswering(403, { code: 'NOT_IN_SCOPE', message: 'Not in your scope' }), onUnauthorized: () => {} });
    const error = await api.get('/api/x', (r) => r).catch((e: unknown) => e);
    expect(isNotInScope(error)).toBe(true);
    expect(shouldRetry(0, error)).toBe(false);
    expect(shouldRetry(0, new Error('network'))).toBe(true);
    expect(shouldRetry(2, new Error('network'))).toBe(false);
  });
});
