/**
 * Calls to the hub's REST API (`/api`, see docs/api.md). The viewer token goes in the
 * Authorization header; a 401 means the sign-in was refused (the sign-in page takes over), a 403
 * with NOT_IN_SCOPE means "not yours" — both carry the hub's stable error code.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  /** GETs `path` and hands the JSON to `parse`, which checks its shape. */
  get<T>(path: string, parse: (raw: unknown) => T, signal?: AbortSignal): Promise<T>;
}

export interface ApiClientOptions {
  token: string;
  fetch: typeof fetch;
  onUnauthorized: () => void;
}

export function createApiClient(o: ApiClientOptions): ApiClient {
  return {
    async get(path, parse, signal) {
      const response = await o.fetch(path, {
        headers: { Authorization: `Bearer ${o.token}`, Accept: 'application/json' },
        signal,
        credentials: 'omit',
      });
      if (!response.ok) {
        const { code, message } = await errorOf(response);
        if (response.status === 401) o.onUnauthorized();
        throw new ApiError(response.status, code, message);
      }
      return parse(await response.json());
    },
  };
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const fallback = { code: `HTTP_${response.status}`, message: response.statusText || `HTTP ${response.status}` };
  try {
    const body: unknown = await response.json();
    const e = (typeof body === 'object' && body !== null && 'error' in body ? (body as { error: unknown }).error : body) as
      | { code?: unknown; message?: unknown }
      | null;
    if (e && typeof e === 'object' && typeof e.code === 'string') {
      return { code: e.code, message: typeof e.message === 'string' ? e.message : fallback.message };
    }
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return fallback;
}

/**
 * The restaurant or terminal is not the viewer's: 403 NOT_IN_SCOPE (or, to a viewer who sees all,
 * 404 for one the hub does not know — the page words both the same way).
 */
export function isNotInScope(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 403 || error.status === 404 || error.code === 'NOT_IN_SCOPE');
}

/** Retrying cannot help a refusal, a missing thing or a bad request; it can help the rest. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}
