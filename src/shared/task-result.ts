import type { CreateTaskResult } from '@modelcontextprotocol/server';

/**
 * Whether a `tools/call` result is the task the backend created (2025-11-25 task augmentation) rather than the
 * tool's result: a `task` object with a string `taskId`.
 */
export function isCreateTaskResult(result: object): result is CreateTaskResult {
  const { task } = result as { task?: unknown };
  return (
    typeof task === 'object' && task !== null && typeof (task as { taskId?: unknown }).taskId === 'string'
  );
}
