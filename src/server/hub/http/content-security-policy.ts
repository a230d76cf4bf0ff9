/**
 * The dashboard's Content-Security-Policy (issue 18, item 4). The built SPA is files from this
 * origin only: one module script, its lazy chunks, one stylesheet, the favicon — no inline script,
 * no inline `<style>`, no eval, no other host. So the policy is `'self'` and nothing wider:
 *
 * - `script-src 'self'`: an injected `<script>` (inline or from elsewhere) does not run. Vite puts
 *   no inline script in index.html (its module-preload helper is in the entry chunk).
 * - `style-src 'self'`: tailwind's output is one file; React and recharts set styles through the
 *   CSSOM (`element.style.x = …`), which style-src does not govern, so no 'unsafe-inline' is needed.
 * - `connect-src 'self'` plus the hub's own `/live` as `ws:`/`wss:` of the host the page was loaded
 *   from: CSP Level 3 browsers read `'self'` as covering same-host WebSockets, older ones do not.
 *   The host comes from the request's Host header, used only when it is a plain host[:port] — a
 *   header value must never be able to add a directive or a source.
 * - `frame-ancestors 'none'` (X-Frame-Options DENY for browsers that read CSP), `base-uri 'none'`,
 *   `object-src` by `default-src 'none'`: nothing the page does not use is allowed.
 *
 * The "not built" page carries one inline `<style>`, allowed by its hash, not by 'unsafe-inline'.
 */
import { createHash } from 'node:crypto';

/**
 * A host name or IPv4 address with an optional port: nothing that can end a directive. (CSP's
 * source grammar has no IPv6 literals; a page loaded from `[::1]` relies on `'self'`.)
 */
const plainHost = /^[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,126}(?::\d{1,5})?$/;

function liveSources(host: string | undefined, livePath: string): string[] {
  if (!host || !plainHost.test(host)) return [];
  return [`ws://${host}${livePath}`, `wss://${host}${livePath}`];
}

export interface PolicyOptions {
  /** The request's Host header. */
  host?: string | undefined;
  /** Extra `style-src` sources (hashes of inline `<style>` blocks). */
  styleHashes?: readonly string[];
}

export function dashboardPolicy({ host, styleHashes = [] }: PolicyOptions = {}, livePath = '/live'): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", ...styleHashes],
    ['img-src', "'self'"],
    ['font-src', "'self'"],
    ['manifest-src', "'self'"],
    ['connect-src', "'self'", ...liveSources(host, livePath)],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** `'sha256-…'` of every `<style>` block in a page we write ourselves. */
export function inlineStyleHashes(html: string): string[] {
  return [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
}
