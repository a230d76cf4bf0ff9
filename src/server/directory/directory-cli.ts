/**
 * `--restaurants-file` for `pulse hub` and `pulse start` (docs/stability.md): the restaurant
 * directory, read before the hub starts — a bad file refuses the start with every problem listed,
 * since a directory silently empty would count closed hours as outages — then watched.
 */
import { Option } from 'commander';
import { describeDirectoryProblems, loadRestaurantsFile } from './directory-file.ts';
import { watchRestaurantsFile, type DirectoryLogger, type DirectoryWatch } from './directory-watch.ts';

export function restaurantsFileOption(): Option {
  return new Option('--restaurants-file <file>', 'restaurant directory: names, time zones, opening hours, closed days, tags (JSON, docs/stability.md; example: config/restaurants.example.json); reloaded on change, a bad edit keeps the last good one; engineers\' dashboard edits are written back into it atomically');
}

/** The watched directory, or undefined without a file (every restaurant then named by its id, open all day). */
export async function openRestaurantsFile(file: string | undefined, logger: DirectoryLogger): Promise<DirectoryWatch | undefined> {
  if (file === undefined) return undefined;
  const first = await loadRestaurantsFile(file);
  if (!first.ok) throw new Error(`--restaurants-file refused:\n${describeDirectoryProblems(file, first.problems)}`);
  const watch = watchRestaurantsFile({ path: file, logger });
  await watch.reload();
  return watch;
}
