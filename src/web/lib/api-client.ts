/**
 * Calls to the hub's REST API (`/api`, see docs/api.md). The viewer token goes in the
 * Authorization header; a 401 means the sign-in was refused (the sign-in page takes over), a 403
 * with NOT_IN_SCOPE means "not yours" — both carry the hub's stable error code.
 *
 * Every answer is decoded with its schema of src/protocol/api.ts, as `/live` frames are with
 * live.ts: an answer that does not match fails with INVALID_MESSAGE naming the wrong field, and the
 * page shows that message instead of drawing wrong figures or nothing at all.
 */
import type { z } from 'zod';
import { apiErrorBodySchema, decodeAnswer } from '../../protocol/api.ts';
import type { DirectoryFieldProblem } from '../../protocol/directory.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** TERMINAL_AMBIGUOUS: the restaurants (in the viewer's scope) that have a terminal of that id. */
    readonly restaurants: readonly string[] = [],
    /** DIRECTORY_INVALID: each refused field with its own code. */
    readonly problems: readonly DirectoryFieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  /** GETs `path` and decodes the JSON with `schema` (one of src/protocol/api.ts). */
  get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T>;
  /** The API's few writes (silences, directory edits): `body` sent as JSON when given; the answer decoded as `get` does. */
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, schema: z.ZodType<T>): Promise<T>;
  /** GETs a file the API serves (the weekly report's HTML) as text; refusals as `get`. */
  getText(path: string): Promise<string>;
}

export interface ApiClientOptions {
  token: string;
  fetch: typeof fetch;
  onUnauthorized: () => void;
}

export function createApiClient(o: ApiClientOptions): ApiClient {
  async function call<T>(method: string, path: string, schema: z.ZodType<T>, signal?: AbortSignal, body?: unknown): Promise<T> {
    const response = await answered(method, path, signal, body);
    const decoded = decodeAnswer(schema, await response.json().catch(() => undefined));
    if (!decoded.ok) throw new ApiError(response.status, decoded.error.code, `The hub's answer to ${pathOnly(path)} does not match the API contract (${decoded.detail})`);
    return decoded.value;
  }
  /** The response of a call the hub accepted; a refusal thrown as ApiError with its stable code. */
  async function answered(method: string, path: string, signal?: AbortSignal, body?: unknown): Promise<Response> {
    const response = await o.fetch(path, {
      method,
      headers: { Authorization: `Bearer ${o.token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal,
      credentials: 'omit',
    });
    if (!response.ok) {
      const { code, message, restaurants, problems } = await errorOf(response);
      if (response.status === 401) o.onUnauthorized();
      throw new ApiError(response.status, code, message, restaurants, problems);
    }
    return response;
  }
  return {
    get: (path, schema, signal) => call('GET', path, schema, signal),
    send: (method, path, body, schema) => call(method, path, schema, undefined, body),
    getText: async (path) => (await answered('GET', path)).text(),
  };
}

/** The path without its query: windows are not worth repeating in an error line. */
function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

async function errorOf(response: Response): Promise<{ code: string; message: string; restaurants?: readonly string[]; problems?: readonly DirectoryFieldProblem[] }> {
  // Not the hub's refusal (a proxy's error page, not JSON): the status says enough.
  const fallback = { code: `HTTP_${response.status}`, message: response.statusText || `HTTP ${response.status}` };
  const body: unknown = await response.json().catch(() => undefined);
  const decoded = decodeAnswer(apiErrorBodySchema, body);
  return decoded.ok ? decoded.value.error : fallback;
}

/**
 * The restaurant or terminal is not the viewer's: 403 NOT_IN_SCOPE (or, to a viewer who sees all,
 * 404 for one the hub does not know — the page words both the same way).
 */
export function isNotInScope(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 403 || error.status === 404 || error.code === 'NOT_IN_SCOPE');
}

/**
 * Retrying cannot help a refusal, a missing thing, a bad request or an answer that breaks the
 * contract (the same hub answers the same shape again); it can help the rest.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && ((error.status >= 400 && error.status < 500) || error.code === 'INVALID_MESSAGE')) return false;
  return failureCount < 2;
}
