import { parseArgs } from 'node:util';

/** One `--flag` accepted by an example server (a subset of `node:util` `parseArgs` options). */
export type CliOption = { type: 'string'; default?: string } | { type: 'boolean'; default?: boolean };

type CliValues<O extends Record<string, CliOption>> = {
  [K in keyof O]: O[K] extends { type: 'boolean' }
    ? boolean | undefined
    : O[K] extends { default: string }
      ? string
      : string | undefined;
};

/**
 * Parses `process.argv` strictly. Unknown flags or positionals print the usage on stderr and exit with
 * code 2; `--help` prints it and exits 0. Stderr, because stdout belongs to the MCP protocol.
 */
export function parseCli<const O extends Record<string, CliOption>>(
  name: string,
  usage: string,
  options: O,
  argv: readonly string[] = process.argv.slice(2),
): CliValues<O> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help === true) {
    console.error(usage);
    process.exit(0);
  }
  return values as CliValues<O>;
}

/** Reports a bad flag value the way {@link parseCli} reports a bad flag, then exits with code 2. */
export function exitWithUsageError(name: string, usage: string, message: string): never {
  console.error(`${name}: ${message}\n\n${usage}`);
  process.exit(2);
}
