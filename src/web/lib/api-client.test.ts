import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { restaurantAnswerSchema } from '../../protocol/api.ts';
import { restaurantAnswer, terminalWire } from '../../protocol/test-helpers/api-fixtures.ts';
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
    await expect(api.get('/api/x', z.object({ n: z.number() }).transform((o) => o.n))).resolves.toBe(1);
    expect((seen[0]!.init!.headers as Record<string, string>).Authorization).toBe('Bearer jwt');
  });

  it('a 401 reports the refused sign-in and throws with the hub code', async () => {
    let refused = 0;
    const api = createApiClient({ token: 'jwt', fetch: fetchAnswering(401, { error: { code: 'TOKEN_EXPIRED', message: 'Invalid token' } }), onUnauthorized: () => refused++ });
    const error = await api.get('/api/x', z.unknown()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('TOKEN_EXPIRED');
    expect(refused).toBe(1);
  });

  it('a 403 NOT_IN_SCOPE is not retried and reads as not in scope', async () => {
    const api = createApiClient({ token: 'jwt', fetch: fetchAnswering(403, { code: 'NOT_IN_SCOPE', message: 'Not in your scope' }), onUnauthorized: () => {} });
    const error = await api.get('/api/x', z.unknown()).catch((e: unknown) => e);
    expect(isNotInScope(error)).toBe(true);
    expect(shouldRetry(0, error)).toBe(false);
    expect(shouldRetry(0, new Error('network'))).toBe(true);
    expect(shouldRetry(2, new Error('network'))).toBe(false);
  });

  it('an answer that breaks the contract fails with INVALID_MESSAGE naming the field, and is not retried', async () => {
    const answer = restaurantAnswer([{ ...terminalWire('t-1'), rttMs: 'fast' as unknown as number }]);
    const api = createApiClient({ token: 'jwt', fetch: fetchAnswering(200, answer), onUnauthorized: () => {} });
    const error = await api.get('/api/restaurants/r-001?x=1', restaurantAnswerSchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('INVALID_MESSAGE');
    expect((error as ApiError).message).toMatch(/^The hub's answer to \/api\/restaurants\/r-001 does not match the API contract \(.*terminals\.0\.rttMs: /);
    expect(shouldRetry(0, error)).toBe(false);
    // The same answer, whole, decodes.
    const ok = createApiClient({ token: 'jwt', fetch: fetchAnswering(200, restaurantAnswer([terminalWire('t-1')])), onUnauthorized: () => {} });
    await expect(ok.get('/api/restaurants/r-001', restaurantAnswerSchema)).resolves.toMatchObject({ terminals: [{ tid: 't-1' }] });
  });
});
