/**
 * zod issues as lines a person can act on: `  at servers.weather.command: expected string, received number`.
 */
import type { z } from 'zod';

import { formatJsonPath, type ConfigProblem } from './config-problem.js';

/** One line per zod issue: `  at servers.weather.command: expected string, received number`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issueProblems(issues)
    .map(({ path, message }) => `  at ${path}: ${message}`)
    .join('\n');
}

/** The zod issues as config errors, one per useful detail, each at its JSON path. */
export function issueProblems(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return flattenIssues(issues, []).map(({ path, message }) => ({
    severity: 'error',
    path: formatJsonPath(path),
    message,
  }));
}

interface FlatIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * zod nests the useful detail: a bad record key is an `invalid_key` issue whose own issues say what a key must
 * be, and a value matching no branch of a union is an `invalid_union` holding each branch's issues. Report the
 * nested detail, for a union from the branches that got past a plain type mismatch (the ones the value was meant
 * for), so that `steps: [{server: "a"}]` reads `at steps.0.tool: ...`, not `at steps: Invalid input`.
 */
function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): FlatIssue[] {
  return issues.flatMap((issue): FlatIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      return issue.issues.map((inner) => ({ path, message: `invalid key: ${inner.message}` }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const meant = issue.errors.filter((branch) => !isTypeMismatchOnly(branch));
      if (meant.length === 1 && meant[0]) return flattenIssues(meant[0], path);
    }
    return [{ path, message: issue.message }];
  });
}

/** A branch the value was not meant for: its one issue is the value's type, or a literal it is not (`false`). */
function isTypeMismatchOnly(branch: readonly z.core.$ZodIssue[]): boolean {
  const code = branch[0]?.code;
  return (
    branch.length === 1 &&
    (code === 'invalid_type' || code === 'invalid_value') &&
    branch[0]?.path.length === 0
  );
}
