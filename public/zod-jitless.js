/*
 * Loaded by index.html as a classic script, so it runs before the app's modules. The hub serves
 * the dashboard with a CSP that forbids eval (src/server/hub/http/content-security-policy.ts). zod
 * compiles object parsers with `new Function` unless configured not to, and decides so for each
 * schema as it is built, by trying `Function('')`: the browser blocks that and reports a policy
 * violation on every load. Under the policy the compiled path is never available anyway, so
 * turning it off costs nothing. It must be set before zod's first schema is built, which inside
 * the bundle cannot be ordered (zod and the schemas share a chunk that runs before the entry's
 * own code); `globalThis.__zod_globalConfig` is the object `z.config()` writes to, and zod keeps it
 * when it is already there. e2e/dashboard-csp.spec.ts fails if this stops working.
 */
globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
