/**
 * Keeps the restaurant directory in step with its file. The folder is watched, not the file:
 * editors save by writing a new file and renaming it over the old one, and a watch on the old
 * inode then goes silent. Events are debounced (one save is several events); a bad edit keeps the
 * last good directory, and the log says which entries are wrong and where.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.ts';
import { emptyDirectory, type RestaurantDirectory } from '../../core/directory/restaurant-directory.ts';
import { fileDirectoryEditor, type DirectoryEditor } from './directory-edit.ts';
import { describeDirectoryProblems, loadRestaurantsFile } from './directory-file.ts';

export interface DirectoryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DirectoryWatch {
  /** The directory in force: the last good read of the file (empty before the first). */
  current(): RestaurantDirectory;
  /** Reads the file now (also what a change triggers); resolves true when it was taken. */
  reload(): Promise<boolean>;
  /** Engineers' edits from the dashboard, written back into this file (directory-edit.ts). */
  editor: DirectoryEditor;
  close(): void;
}

export interface DirectoryWatchOptions {
  path: string;
  logger: DirectoryLogger;
  /** Default 300 ms. */
  debounceMs?: number;
  clock?: Clock;
}

export function watchRestaurantsFile(o: DirectoryWatchOptions): DirectoryWatch {
  const clock = o.clock ?? systemClock();
  const path = resolve(o.path);
  const name = basename(path);
  let directory = emptyDirectory;
  let timer: TimerHandle | undefined;
  let closed = false;
  // Reads are chained so two quick edits can never apply out of order.
  let chain: Promise<boolean> = Promise.resolve(true);

  const reload = () =>
    (chain = chain.then(async () => {
      if (closed) return false;
      const result = await loadRestaurantsFile(path);
      if (closed) return false;
      if (!result.ok) {
        o.logger.warn({ file: path, problems: result.problems }, `directory: ${path} refused, the previous directory stays in force:\n${describeDirectoryProblems(path, result.problems)}`);
        return false;
      }
      directory = result.directory;
      o.logger.info({ file: path, restaurants: directory.entries().length }, 'directory: restaurants loaded');
      return true;
    }));

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, file) => {
      if (file !== null && file !== name) return;
      clock.clearTimeout(timer);
      timer = clock.setTimeout(() => void reload(), o.debounceMs ?? 300);
    });
    watcher.on('error', (error) => o.logger.warn({ file: path, err: String(error) }, 'directory: cannot watch the file; edits need a restart'));
    // The watch never keeps a stopping process alive.
    watcher.unref();
  } catch (error) {
    o.logger.warn({ file: path, err: String(error) }, 'directory: cannot watch the file; edits need a restart');
  }

  return {
    current: () => directory,
    reload,
    editor: fileDirectoryEditor({ path, reload, current: () => directory }),
    close() {
      closed = true;
      clock.clearTimeout(timer);
      watcher?.close();
    },
  };
}
