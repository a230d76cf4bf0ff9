/** `pulse token terminal|gateway|viewer` — mint JWTs signed with the Pulse secret. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { loadSecret, defaultDataDir } from '../auth/secret.ts';
import { signGatewayToken, signTerminalToken, signViewerToken, viewerRoles } from '../auth/tokens.ts';
import type { ViewerRole } from '../auth/tokens.ts';
import { intOption, listOption } from './options.ts';

const idOption = (what: string) => (value: string): string => {
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(value)) throw new Error(`${what} may hold only letters, digits and . _ : - (1 to 64 characters)`);
  return value;
};

export function registerTokenCommand(program: Command): void {
  const token = program
    .command('token')
    .description('mint a token (signed with PULSE_SECRET, or with the secret kept in the data folder)');

  token
    .command('terminal')
    .description('a POS terminal token: claims sub (terminal), rid (restaurant), exp')
    .requiredOption('--restaurant <id>', 'restaurant id, e.g. r-001', idOption('--restaurant'))
    .requiredOption('--terminal <id>', 'terminal id, e.g. r-001-t1', idOption('--terminal'))
    .option('--ttl <seconds>', 'lifetime in seconds', intOption('--ttl', 1, 31_536_000), 86_400)
    .option('--data <dir>', 'data folder holding the generated secret', defaultDataDir)
    .action((opts: { restaurant: string; terminal: string; ttl: number; data: string }) => {
      const { secret } = loadSecret(opts.data);
      process.stdout.write(signTerminalToken(secret, opts.terminal, opts.restaurant, opts.ttl) + '\n');
    });

  token
    .command('gateway')
    .description('a probe token (role gateway): may write telemetry to the hub\'s /ingest for this gateway id only, may read nothing')
    .requiredOption('--id <gateway>', 'gateway id, unique and stable across restarts, e.g. gw-eu-1', idOption('--id'))
    .option('--ttl <seconds>', 'lifetime in seconds (default one year)', intOption('--ttl', 1, 10 * 31_536_000), 31_536_000)
    .option('--data <dir>', 'data folder holding the generated secret', defaultDataDir)
    .action((opts: { id: string; ttl: number; data: string }) => {
      const { secret } = loadSecret(opts.data);
      process.stdout.write(signGatewayToken(secret, opts.id, opts.ttl) + '\n');
    });

  token
    .command('viewer')
    .description('a dashboard viewer token: support (all restaurants), manager (--restaurants), engineer (all, plus replay and export)')
    .addOption(new Option('--role <role>', 'viewer role').choices([...viewerRoles]).makeOptionMandatory())
    .option('--restaurants <ids>', 'comma-separated restaurant ids (required for managers)', listOption)
    .option('--name <name>', 'who the token is for', 'viewer')
    .option('--ttl <seconds>', 'lifetime in seconds', intOption('--ttl', 1, 31_536_000), 86_400)
    .option('--data <dir>', 'data folder holding the generated secret', defaultDataDir)
    .action((opts: { role: ViewerRole; restaurants?: string[]; name: string; ttl: number; data: string }) => {
      if (opts.role === 'manager' && !opts.restaurants) throw new Error('a manager token needs --restaurants r-001,r-002');
      if (opts.role !== 'manager' && opts.restaurants) throw new Error(`--restaurants applies to managers only; a ${opts.role} sees every restaurant`);
      opts.restaurants?.forEach(idOption('--restaurants'));
      const { secret } = loadSecret(opts.data);
      const viewer = opts.restaurants ? { sub: opts.name, role: opts.role, restaurants: opts.restaurants } : { sub: opts.name, role: opts.role };
      process.stdout.write(signViewerToken(secret, viewer, opts.ttl) + '\n');
    });
}
