/**
 * `pulse` — one command with a subcommand per part of the pipeline. Each subcommand lives in its
 * own file and registers itself on the program; `pulse <cmd> --help` documents each.
 */
import { Command, CommanderError } from 'commander';
import { registerTokenCommand } from './token-command.ts';
import { registerGatewayCommand } from './gateway-command.ts';
import { registerSimCommand } from './sim-command.ts';
import { registerStartCommand } from './start-command.ts';
import { registerHubCommand } from './hub-command.ts';
import { registerProxyCommand } from './proxy-command.ts';
import { registerAuditCommand } from './audit-command.ts';
import { registerReportCommand } from './report-command.ts';

export function buildProgram(): Command {
  const program = new Command('pulse')
    .description('Pulse — real-time monitor for the WebSocket connections of restaurant POS fleets')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // `pulse bench` is added by bench/cli.ts (bin/pulse.js loads it for that command): the
    // benches live outside the product's layers, so nothing here imports them.
    .addHelpText('after', '\nBenchmarks: pulse bench gateway --help');
  registerTokenCommand(program);
  registerGatewayCommand(program);
  registerSimCommand(program);
  registerStartCommand(program);
  registerHubCommand(program);
  registerProxyCommand(program);
  registerAuditCommand(program);
  registerReportCommand(program);
  return program;
}

/** `program` is given by `pulse bench` (bench/cli.ts), which adds its command to this program. */
export async function main(argv: string[], program: Command = buildProgram()): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0 through here; usage errors were already printed by commander.
      process.exitCode = error.exitCode;
      return;
    }
    console.error(`pulse: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
