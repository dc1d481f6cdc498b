import { split } from 'shlex';

/**
 * Splits a command-line string into words the way a POSIX shell splits them (single and double quotes, backslash
 * escapes), without ever running a shell: `|`, `;`, `$(...)` and globs stay literal characters of their word.
 * An array is returned as it is. Throws on an unterminated quote.
 */
export function splitArgs(args: string | readonly string[] | undefined): string[] {
  if (args === undefined) return [];
  if (typeof args !== 'string') return [...args];
  try {
    return split(args);
  } catch (error) {
    throw new Error(`cannot split arguments ${JSON.stringify(args)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
