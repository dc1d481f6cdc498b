/**
 * The results the suite's CLI writes (`<output dir>/server-<scenario>-<ISO time>/checks.json`) and the verdict drawn
 * from them.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** What one scenario run found. */
export interface ConformanceOutcome {
  /**
   * The suite's own verdict (no check failed), made stricter in one way: a scenario that checked nothing (no SUCCESS
   * at all, e.g. one the suite skips outright), timed out, or left no results, does not pass.
   */
  readonly passed: boolean;
  /**
   * Either `<n> succeeded, <n> failed, <n> warnings, <n> skipped, <n> info` followed by one line per FAILURE, WARNING
   * or SKIPPED check (`STATUS id: message`), or why the scenario left no results (timed out, aborted, no
   * checks.json) followed by the tail of the CLI's output.
   */
  readonly detail: string;
  /** Ids of the checks that reported WARNING, in order. */
  readonly warnings: readonly string[];
  /** Ids of the checks that reported SKIPPED (not applicable at the revision run, or a prerequisite missing). */
  readonly skipped: readonly string[];
}

/** A check as written to `checks.json` by the suite. */
interface Check {
  readonly id: string;
  readonly status: string;
  readonly description?: string;
  readonly errorMessage?: string;
}

/** `text` with the characters that are special in a regular expression escaped. */
function escapeRegExp(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);
}

/**
 * The checks the CLI wrote for `scenario` under `outputDir`, if any.
 *
 * @param outputDir The folder given to the CLI as `--output-dir`.
 * @param scenario A scenario name (`/` in auth scenario names never occurs for servers).
 */
export async function readChecks(outputDir: string, scenario: string): Promise<readonly Check[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir(outputDir);
  } catch {
    return undefined;
  }
  const pattern = new RegExp(`^server-${escapeRegExp(scenario)}-\\d{4}-\\d{2}-\\d{2}T`);
  const results = entries.find((entry) => pattern.test(entry));
  if (results === undefined) return undefined;
  try {
    return JSON.parse(await readFile(path.join(outputDir, results, 'checks.json'), 'utf8')) as Check[];
  } catch {
    return undefined;
  }
}

/** Turns a scenario's checks into an outcome. */
export function judge(checks: readonly Check[]): ConformanceOutcome {
  const count = (status: string): number => checks.filter((check) => check.status === status).length;
  const ids = (status: string): string[] =>
    checks.filter((check) => check.status === status).map((check) => check.id);
  const notable = checks
    .filter((check) => ['FAILURE', 'WARNING', 'SKIPPED'].includes(check.status))
    .map((check) => `${check.status} ${check.id}: ${check.errorMessage ?? check.description ?? ''}`);
  return {
    passed: count('SUCCESS') > 0 && count('FAILURE') === 0,
    detail: [
      `${count('SUCCESS')} succeeded, ${count('FAILURE')} failed, ${count('WARNING')} warnings, ` +
        `${count('SKIPPED')} skipped, ${count('INFO')} info`,
      ...notable,
    ].join('\n'),
    warnings: ids('WARNING'),
    skipped: ids('SKIPPED'),
  };
}

/** The last `max` characters of a process's output, for failure details. */
function tail(output: string, max = 2000): string {
  return output.length > max ? `...${output.slice(-max)}` : output;
}

/**
 * Outcome of a scenario that did not produce results.
 *
 * @param reason Why (timed out, aborted, no checks.json).
 * @param output What the CLI printed, whose tail is added to the detail.
 */
export function notRun(reason: string, output?: string): ConformanceOutcome {
  return {
    passed: false,
    detail: output === undefined ? reason : `${reason}\n${tail(output)}`,
    warnings: [],
    skipped: [],
  };
}
