/**
 * `mcp-gateway validate [file]`: checks a config file without starting anything and reports on stderr. Exit code 0
 * when the config has no error (warnings allowed), 1 when it is invalid; usage errors (2) are commander's, mapped
 * by cli.ts, which alone ends the process.
 */
import { Command } from 'commander';

import type { Environment } from '../../config/expand-variables.js';
import { formatReport, isValid, validateConfigFile } from './validate-config.js';

/** The file checked when none is named: the one `npm start` and the README use. */
export const DEFAULT_CONFIG_FILE = 'gateway-config.json';

/** Exit code of a config without errors. */
export const EXIT_VALID = 0;
/** Exit code of a config with errors, or one that cannot be read or parsed. */
export const EXIT_INVALID = 1;

/** What `validate` reads and writes: the process's, or a test's. */
export interface ValidateIo {
  /** Receives the report, a line at a time with its line break. */
  readonly stderr: (text: string) => void;
  /** The environment the gateway would run with. */
  readonly env: Environment;
  /** Folder a relative file name starts from. */
  readonly cwd: string;
}

/** Arguments of `validate`. */
export interface ValidateOptions {
  /** The config file; default {@link DEFAULT_CONFIG_FILE}. */
  readonly file?: string | undefined;
}

/** Validates the file, writes the report and returns the exit code. */
export async function runValidate(options: ValidateOptions, io: ValidateIo): Promise<number> {
  const report = await validateConfigFile(options.file ?? DEFAULT_CONFIG_FILE, { env: io.env, cwd: io.cwd });
  for (const line of formatReport(report)) io.stderr(`${line}\n`);
  return isValid(report) ? EXIT_VALID : EXIT_INVALID;
}

/**
 * The `validate` subcommand. Its action reports its exit code through `done` rather than exiting, so that the
 * caller decides when the process ends.
 */
export function createValidateCommand(io: ValidateIo, done: (code: number) => void): Command {
  return new Command('validate')
    .description('check a config file without starting anything; exit code 0 when valid, 1 when not')
    .argument('[file]', 'the config file', DEFAULT_CONFIG_FILE)
    .allowExcessArguments(false)
    .action(async (file: string) => done(await runValidate({ file }, io)));
}
