/**
 * What a backend sends about a task a session created, as that session is to see it: under the gateway's task id.
 * A task status notification names its task in `taskId`; any other message that belongs to a task (an elicitation
 * the task asks, a log line) names it in `_meta["io.modelcontextprotocol/related-task"]`.
 */
import { RELATED_TASK_META_KEY } from '@modelcontextprotocol/server';
import type { BackendMessage } from '../../shared/backend.js';
import type { OwnedTask, TaskOwners } from './task-owners.js';

/** A backend's message about an owned task, rewritten for its owner. */
export interface TaskMessage {
  readonly task: OwnedTask;
  readonly message: BackendMessage;
}

/** The owner of the task `message` of `backend` is about, with the message as it sees it; undefined for others. */
export function taskMessageFor(
  owners: TaskOwners,
  backend: string,
  message: BackendMessage,
): TaskMessage | undefined {
  const named = taskNamedBy(message);
  const task = named === undefined ? undefined : owners.ownerOf(backend, named);
  if (!task || message.params === undefined) return undefined;
  return {
    task,
    message: { method: message.method, params: withGatewayTaskId(message.params, task.taskId) },
  };
}

/** The backend's id of the task `message` is about: a task status's `taskId`, or the related-task `_meta`. */
export function taskNamedBy(message: BackendMessage): string | undefined {
  const params = message.params;
  if (params === undefined) return undefined;
  const meta = params._meta as Record<string, unknown> | undefined;
  const related = (meta?.[RELATED_TASK_META_KEY] as { taskId?: unknown } | undefined)?.taskId;
  const named = message.method === 'notifications/tasks/status' ? params.taskId : related;
  return typeof named === 'string' ? named : undefined;
}

/**
 * `params` (of a message or a result) with the gateway's task id where the backend put its own: `taskId` of a task
 * status, a task or a task notification, and the related-task `_meta`.
 */
export function withGatewayTaskId(params: Record<string, unknown>, taskId: string): Record<string, unknown> {
  const rewritten: Record<string, unknown> =
    typeof params.taskId === 'string' ? { ...params, taskId } : { ...params };
  const meta = params._meta as Record<string, unknown> | undefined;
  if (meta?.[RELATED_TASK_META_KEY] !== undefined) {
    rewritten._meta = { ...meta, [RELATED_TASK_META_KEY]: { taskId } };
  }
  return rewritten;
}
