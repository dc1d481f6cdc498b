import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (default 5000). */
  timeoutMs?: number;
  /** Pause between two probes, in milliseconds (default 20). */
  intervalMs?: number;
  /** What is awaited, for the timeout message (default `'condition'`). */
  description?: string;
}

/** `T` without the falsy values {@link waitFor} keeps polling through (`undefined`, `null`, `false`, `0`, `''`). */
export type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/**
 * Polls `probe` until it returns a truthy value, and resolves with that value.
 *
 * The probe runs once immediately, then every `intervalMs`, and one last time at the deadline.
 * An error thrown (or a rejection returned) by the probe ends the wait with that error.
 *
 * @throws Error `Timed out after <timeoutMs> ms waiting for <description>` if no probe succeeded in time.
 */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitForOptions = {},
): Promise<Truthy<T>> {
  const { timeoutMs = 5000, intervalMs = 20, description = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await delay(Math.min(intervalMs, remaining));
  }
}

/**
 * Polls a text file until its content satisfies `predicate`, and resolves with that content.
 * A missing file counts as "not yet".
 *
 * @param path File to read (UTF-8).
 * @param predicate Test applied to the whole current content.
 * @param options As for {@link waitFor}; the description defaults to `content of <path>`.
 */
export async function waitForFileContent(
  path: string,
  predicate: (content: string) => boolean,
  options: WaitForOptions = {},
): Promise<string> {
  return waitFor(
    async () => {
      let content: string;
      try {
        content = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return predicate(content) ? content : undefined;
    },
    { description: `content of ${path}`, ...options },
  );
}
