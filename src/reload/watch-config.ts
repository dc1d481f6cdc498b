/**
 * Watching the config file: every save (in place, or the rename an editor does) ends in one call of `onChange`
 * once the file has been quiet for a moment, so that two saves in quick succession make one reload.
 */
import { watch } from 'chokidar';

/** How long the file must be quiet before a change counts: editors write in several steps. */
export const CONFIG_QUIET_MS = 150;

/** A watch in progress. */
export interface ConfigWatch {
  /** Stops watching. */
  close(): Promise<void>;
}

/** Watches `file`; resolves once watching (later edits are seen). */
export async function watchConfig(
  file: string,
  onChange: () => void,
  onError: (error: Error) => void,
): Promise<ConfigWatch> {
  const watcher = watch(file, { ignoreInitial: true, persistent: true });
  let timer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, CONFIG_QUIET_MS);
  };
  // `add`: an editor that saves by writing a new file and renaming it over the old one.
  watcher.on('change', changed).on('add', changed);
  watcher.on('error', (error) => onError(error instanceof Error ? error : new Error(String(error))));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
