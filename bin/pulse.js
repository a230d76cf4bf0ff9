#!/usr/bin/env node
// The `pulse` command. Sources are TypeScript; tsx compiles them on load so that
// `npx pulse …` works straight after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/server/cli/main.ts');
await main(process.argv);
