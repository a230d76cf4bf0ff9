/**
 * A tiny router for the hub's REST API: fixed segments and `:name` parameters, GET only for now.
 * Why not a framework: the API is a handful of read-only routes, node:http already does the rest,
 * and every dependency is one more thing that can log an Authorization header.
 */
export type RouteParams = Readonly<Record<string, string>>;

export type RouteMatch<H> =
  | { ok: true; handler: H; params: RouteParams; route: string }
  | { ok: false; reason: 'not_found' | 'method' };

type Route<H> = { method: string; pattern: string; segments: string[]; handler: H };

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  get(pattern: string, handler: H): this {
    return this.add('GET', pattern, handler);
  }

  add(method: string, pattern: string, handler: H): this {
    this.routes.push({ method, pattern, segments: split(pattern), handler });
    return this;
  }

  /** HEAD is answered by the GET route (node:http drops the body). */
  match(method: string, pathname: string): RouteMatch<H> {
    const parts = split(pathname);
    let pathMatched = false;
    for (const r of this.routes) {
      const params = matchSegments(r.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { ok: true, handler: r.handler, params, route: r.pattern };
    }
    return { ok: false, reason: pathMatched ? 'method' : 'not_found' };
  }
}

/** Non-empty path segments, still percent-encoded (parameters are decoded when matched). */
function split(path: string): string[] {
  const out: string[] = [];
  for (const s of path.split('/')) {
    if (s === '') continue;
    out.push(s);
  }
  return out;
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const v = parts[i]!;
    if (p.startsWith(':')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(v);
      } catch {
        return null;
      }
      params[p.slice(1)] = decoded;
    } else if (p !== v) return null;
  }
  return params;
}
