// Lint rules that keep the layers of DESIGN.md apart. Imports flow one way:
// protocol ← core ← client ← {web, server}; web and server never import each other.
// Within them: the gateway never imports the hub, and no web feature imports another (or is
// imported by a shared web folder). src/web/lint-boundaries.test.ts plants a bad import for each.
// The benches (bench/) sit outside all of them: they import the product, and nothing under src
// imports a bench (src/structure.test.ts checks the same on the import graph).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const why = (what, message) => ({ group: what, message });

const noBench = why(['**/bench/**'], 'the benches live in bench/, outside the product: product code never imports them (move what both need into src).');
const serverRules = [why(['**/web/**'], 'server and web never import each other; they share protocol, core and client.'), noBench];
const webRules = [why(['**/server/**', 'node:*', 'ws'], 'server and web never import each other; the SPA runs in a browser.'), noBench];
/** The SPA's features (src/web/features/*): a new one is added here, or nothing keeps it apart. */
const webFeatures = ['fleet', 'restaurant', 'terminal', 'alerts'];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'test-results', 'playwright-report', '.bench'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  layer(['src/protocol/**'], [
    why(['**/core/**', '**/client/**', '**/server/**', '**/web/**'], 'protocol is the wire contract of both sides and must import nothing else of Pulse.'),
    noBench,
  ]),
  layer(['src/core/**'], [
    why(['**/client/**', '**/server/**', '**/web/**'], 'core is pure logic shared by both sides: it may import protocol only.'),
    why(['node:*', 'ws', 'react', 'react-dom'], 'core must stay pure and isomorphic: no I/O, no framework.'),
    noBench,
  ]),
  layer(['src/client/**'], [
    why(['**/server/**', '**/web/**'], 'the resilient socket is isomorphic: it may import protocol and core only.'),
    why(['ws', 'node:*', 'react'], 'the WebSocket constructor is injected so the same core runs in Node and in the browser.'),
    noBench,
  ]),
  layer(['src/server/**'], serverRules),
  // The gateway runs on its own (`pulse gateway`, next to a POS fleet) and must not pull the hub in
  // with it: what both need lives in protocol, core or server/bus.
  layer(['src/server/gateway/**'], [
    ...serverRules,
    why(['**/hub/**'], 'the gateway never imports the hub: it runs without one; share code through protocol, core or server/bus.'),
  ]),
  layer(['src/web/**'], webRules),
  // Inside the SPA: the shared folders serve every feature and import none; a feature imports the
  // shared folders and never another feature, so each page can change without breaking another.
  // (app/ is the composition root: its router is what puts the features together.) A later entry
  // replaces an earlier one's options for the same files, so each repeats the web rules.
  layer(['src/web/{lib,components,live,theme,auth}/**'], [
    ...webRules,
    why(['**/features/**'], 'shared web folders (lib, components, live, theme, auth) never import a feature: move what two features share into one of them.'),
  ]),
  ...webFeatures.map((feature) =>
    layer([`src/web/features/${feature}/**`], [
      ...webRules,
      why(
        webFeatures.filter((f) => f !== feature).map((f) => `**/${f}/**`),
        'a feature never imports another feature: what both need belongs in src/web/lib or src/web/components.',
      ),
    ]),
  ),
  // Tests of the isomorphic layers may drive them with Node's sockets and files; the code under
  // test may not. Placed after the layer rules so it overrides them for test files only.
  layer(['src/{core,client,protocol}/**/*.test.ts', 'src/{core,client,protocol}/**/test-helpers/**'], [
    why(['**/server/**', '**/web/**'], 'tests of a layer import only what that layer may, plus Node and ws.'),
    noBench,
  ]),
  {
    files: ['src/web/**/*.tsx', 'src/web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
