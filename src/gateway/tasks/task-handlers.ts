/**
 * `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` of a 2025 session (2025-11-25 tasks): each task is
 * found among the session's own (`task-owners.ts`) and asked of the backend that runs it, under the backend's id;
 * what comes back carries the gateway's id. `tasks/result` waits on the backend as long as the task runs (up to the
 * backend's hard maximum per call), and what the task asks the client meanwhile reaches this caller on its stream.
 */
import { RELATED_TASK_META_KEY, type Task } from '@modelcontextprotocol/server';
import { z } from 'zod';

import { GatewayError } from '../../errors/gateway-error.js';
import type { Backend } from '../../shared/backend.js';
import {
  admitOnce,
  forwardRequest,
  mappingErrors,
  type ForwardingContext,
} from '../forwarding/forwarding-context.js';
import { PassThroughResult, type HandlerExtra } from '../server-channels.js';
import { withGatewayTaskId } from './task-messages.js';
import type { OwnedTask } from './task-owners.js';

/** What a session that runs tasks advertises: tool calls as tasks, listed and cancellable. */
export const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } } as const;

/** Registers the `tasks/*` handlers on a 2025 session that advertised tasks. */
export function registerTaskHandlers(context: ForwardingContext): void {
  const { server } = context;
  // The SDK no longer types the 2025 task methods, though it still serves them: they are registered with their
  // parameters' schema, as methods of its own would be.
  const byTaskId = { params: z.looseObject({ taskId: z.string() }) };
  server.setRequestHandler(
    'tasks/get',
    byTaskId,
    mappingErrors((params, extra) =>
      askBackend(context, ownedTask(context, params.taskId), 'tasks/get', extra),
    ),
  );
  server.setRequestHandler(
    'tasks/cancel',
    byTaskId,
    mappingErrors((params, extra) =>
      askBackend(context, ownedTask(context, params.taskId), 'tasks/cancel', extra),
    ),
  );
  server.setRequestHandler(
    'tasks/result',
    byTaskId,
    mappingErrors(async (params, extra) => {
      const task = ownedTask(context, params.taskId);
      const result = await askBackend(context, task, 'tasks/result', extra, { waits: true });
      const meta = result._meta as Record<string, unknown> | undefined;
      if (meta?.[RELATED_TASK_META_KEY] === undefined) return result;
      return { ...result, _meta: { ...meta, [RELATED_TASK_META_KEY]: { taskId: task.taskId } } };
    }),
  );
  server.setRequestHandler(
    'tasks/list',
    { params: z.looseObject({ cursor: z.string().optional() }) },
    mappingErrors(async (_params, extra) => ({ tasks: await listTasks(context, extra) })),
  );
}

/** The session's task `taskId`; an id it did not create is an unknown task (InvalidParams). */
function ownedTask(context: ForwardingContext, taskId: string): OwnedTask {
  return context.router.tasks.find(context.session, taskId);
}

/** Asks the backend running `task` about it, under its own id; the answer names the task by the gateway's id. */
async function askBackend(
  context: ForwardingContext,
  task: OwnedTask,
  method: 'tasks/get' | 'tasks/cancel' | 'tasks/result',
  extra: HandlerExtra,
  { waits = false, listing = false } = {},
): Promise<Record<string, unknown>> {
  const backend = backendOf(context, task);
  const result = await forwardRequest(
    context,
    backend,
    extra,
    () =>
      backend.request({ method, params: { taskId: task.backendTaskId } }, PassThroughResult, {
        signal: extra.mcpReq.signal,
        waits,
        // A task of a backend that connects per principal lives on the principal's own connection.
        principal: context.session.identity.principal,
      }),
    // Recorded under the id the client knows; `tasks/list` passed the gates once for all its tasks.
    { method, params: { taskId: task.taskId }, gated: !listing },
  );
  return method === 'tasks/result' ? result : withGatewayTaskId(result, task.taskId);
}

/**
 * The session's tasks as their backends know them now, oldest first. A task its backend no longer knows (its ttl
 * ended, the backend restarted) is left out and forgotten; one whose backend cannot be asked now is left out.
 */
async function listTasks(context: ForwardingContext, extra: HandlerExtra): Promise<Task[]> {
  const admission = await admitOnce(context, 'tasks/list');
  try {
    return await askEach(context, extra);
  } finally {
    admission?.release();
  }
}

async function askEach(context: ForwardingContext, extra: HandlerExtra): Promise<Task[]> {
  const owned = context.router.tasks.of(context.session);
  const answers = await Promise.all(
    owned.map((task) =>
      askBackend(context, task, 'tasks/get', extra, { listing: true }).then(
        (answer) => answer as unknown as Task,
        (error: unknown) => {
          if ((error as { code?: unknown }).code === -32602) context.router.tasks.drop(task);
          context.logger.debug('a task was left out of tasks/list', {
            task: task.taskId,
            error: (error as Error).message,
          });
          return undefined;
        },
      ),
    ),
  );
  return answers.filter((task): task is Task => task !== undefined);
}

function backendOf(context: ForwardingContext, task: OwnedTask): Backend {
  const backend = context.catalog.directory.get(task.backend);
  if (backend) return backend;
  throw new GatewayError(
    'backend_unavailable',
    `task "${task.taskId}" ran on server "${task.backend}", which is no longer registered: its result is gone`,
    { backend: task.backend },
  );
}
