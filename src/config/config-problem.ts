/**
 * One thing wrong with a config file, found while loading or validating it: where (a JSON path such as
 * `servers.github.env.GITHUB_TOKEN`), how bad (an error stops the gateway, a warning does not) and what to do.
 */

/** An error makes the config unusable; a warning is reported and the config used anyway. */
export type ProblemSeverity = 'error' | 'warning';

/** A problem at one JSON path of the config. Messages never quote a variable's, an env or a header value. */
export interface ConfigProblem {
  readonly severity: ProblemSeverity;
  /** The JSON path, keys joined with "." (`servers.a.args.1`); `(root)` for the whole file. */
  readonly path: string;
  readonly message: string;
}

/** The path segments as shown in messages: `servers.a.args.1`, or `(root)` when there are none. */
export function formatJsonPath(segments: readonly PropertyKey[]): string {
  return segments.length > 0 ? segments.map(String).join('.') : '(root)';
}

/** `servers.a.command: command must not be empty`: a problem as one line, without its severity. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/** Whether `path` is `ancestor` or lies under it (`servers.a.url` is under `servers.a`). */
export function isPathWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`);
}

/** A JSON object, as opposed to an array, null or a scalar. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
