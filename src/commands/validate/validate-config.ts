/**
 * `mcp-gateway validate`'s checks, without starting anything: the file reads and is JSON, matches the schema, its
 * variables are set, its keys are known, its `envPassthrough` variables are set, its commands exist. And the report
 * they make, one line per problem then a summary.
 */
import path from 'node:path';

import { GatewayError } from '../../errors/gateway-error.js';
import { checkCommands } from './check-commands.js';
import { checkConfig } from '../../config/check-config.js';
import { formatProblem, isJsonObject, type ConfigProblem } from '../../config/config-problem.js';
import { SERVER_SECTIONS, type Environment } from '../../config/expand-variables.js';
import { parseJsonText } from '../../config/json-syntax.js';
import { readConfigText } from '../../config/load-config.js';

/** What a validation looks at besides the file. */
export interface ValidationOptions {
  /** The environment the gateway would run with: variables, `envPassthrough`, PATH. */
  readonly env: Environment;
  /** Folder a relative file name starts from. */
  readonly cwd: string;
}

/** The outcome of {@link validateConfigFile}. */
export interface ValidationReport {
  /** The file as the user named it. */
  readonly label: string;
  /** Why the file could not be checked at all (unreadable, not JSON): then there is nothing else to report. */
  readonly failure: string | undefined;
  /** Errors first, then warnings. */
  readonly problems: readonly ConfigProblem[];
  readonly servers: number;
  readonly pipelines: number;
}

/** Checks the config file `file` (relative to `options.cwd`) as the gateway would load it, and more. */
export async function validateConfigFile(
  file: string,
  options: ValidationOptions,
): Promise<ValidationReport> {
  const absolute = path.resolve(options.cwd, file);
  let json: unknown;
  try {
    json = parseJsonText(await readConfigText(absolute, file), file);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { label: file, failure: error.message, problems: [], servers: 0, pipelines: 0 };
  }
  const checked = checkConfig(json, { env: options.env });
  const commandProblems = await checkCommands(
    { written: json, expanded: checked.expanded, problems: checked.problems },
    { baseDir: path.dirname(absolute), file: absolute, env: options.env },
  );
  const all = [...checked.problems, ...commandProblems];
  return {
    label: file,
    failure: undefined,
    problems: [
      ...all.filter((problem) => problem.severity === 'error'),
      ...all.filter((problem) => problem.severity === 'warning'),
    ],
    servers: SERVER_SECTIONS.reduce((count, section) => count + countKeys(json, section), 0),
    pipelines: countKeys(json, 'pipelines'),
  };
}

/** Whether the config can be used: no errors (warnings allowed). */
export function isValid(report: ValidationReport): boolean {
  return report.failure === undefined && report.problems.every((problem) => problem.severity !== 'error');
}

/**
 * The report as lines: `error: <path>: <message>` and `warning: ...` for each problem, then a summary such as
 * `gateway-config.json is not valid: 3 servers, 1 pipeline; 1 error, 2 warnings`. A clean file gets only
 * `gateway-config.json is valid: 3 servers, 1 pipeline`.
 */
export function formatReport(report: ValidationReport): string[] {
  if (report.failure !== undefined) return report.failure.split('\n');
  const errors = report.problems.filter((problem) => problem.severity === 'error').length;
  const warnings = report.problems.length - errors;
  const contents = `${plural(report.servers, 'server')}, ${plural(report.pipelines, 'pipeline')}`;
  const lines = report.problems.map((problem) => `${problem.severity}: ${formatProblem(problem)}`);
  if (errors > 0) {
    lines.push(
      `${report.label} is not valid: ${contents}; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
    );
  } else {
    lines.push(
      `${report.label} is valid: ${contents}${warnings > 0 ? `; ${plural(warnings, 'warning')}` : ''}`,
    );
  }
  return lines;
}

function countKeys(json: unknown, key: string): number {
  const section = isJsonObject(json) ? json[key] : undefined;
  return isJsonObject(section) ? Object.keys(section).length : 0;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
