/**
 * `pulse bench …`: the product's program with the bench command added. bin/pulse.js loads this
 * file instead of src/server/cli/main.ts when the command is `bench`, so the benches stay outside
 * the product's layers — nothing under src imports them — and `pulse bench` still parses,
 * reports usage errors and exits exactly as every other `pulse` command does.
 */
import { buildProgram, main as runPulse } from '../src/server/cli/main.ts';
import { registerBenchCommand } from './gateway/gateway-bench-command.ts';

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  registerBenchCommand(program);
  await runPulse(argv, program);
}
