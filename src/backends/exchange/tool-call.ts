/**
 * A backend's `tools/call`, in the three ways it goes out: a plain call (the hot path); a task the caller asked for
 * (2025-11-25 task augmentation: the backend answers with the task it created); and a call of a tool that runs only
 * as a task (`execution.taskSupport: "required"`), which the gateway runs as a task and waits for, so that callers
 * that know nothing of tasks (`call_backend`, pipeline steps, clients without tasks) can use such a tool too.
 */
import {
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type CreateTaskResult,
  type TaskMetadata,
} from '@modelcontextprotocol/server';
import type { RpcMessage } from '../../rpc/outgoing-requests.js';
import { isCreateTaskResult, type BackendCallOptions } from '../../shared/backend.js';
import type { ExchangeLabel } from './request-exchange.js';
import { toCallToolResult } from './tool-result.js';

/** Sends one request to the backend and checks its result (a backend's exchange, bound to it). */
export type Exchanger = <T>(
  request: RpcMessage,
  check: (result: Record<string, unknown>) => T,
  options: BackendCallOptions,
  what: ExchangeLabel,
) => Promise<T>;

/**
 * Calls `tool` as the caller asked, a plain call: as a task, awaited, when the tool runs only as one (`taskOnly`).
 */
export function callTool(
  send: Exchanger,
  backend: string,
  tool: string,
  args: Record<string, unknown>,
  options: BackendCallOptions,
  taskOnly: boolean,
): Promise<CallToolResult> {
  const label = `${backend}.${tool}`;
  if (taskOnly) return callThroughTask(send, label, tool, args, options);
  return send({ method: 'tools/call', params: { name: tool, arguments: args } }, toCallToolResult, options, {
    label,
    tool,
  });
}

/** Calls `tool` as a task; the backend's answer is its CreateTaskResult, or the tool's result if it ran at once. */
export function startToolTask(
  send: Exchanger,
  label: string,
  tool: string,
  args: Record<string, unknown>,
  task: TaskMetadata,
  options: BackendCallOptions,
): Promise<CreateTaskResult | CallToolResult> {
  return send(
    { method: 'tools/call', params: { name: tool, arguments: args, task } },
    (result) => (isCreateTaskResult(result) ? result : toCallToolResult(result)),
    options,
    { label, tool },
  );
}

/**
 * Runs a tool that runs only as a task, for a caller that waits for its result: creates the task, then waits on
 * `tasks/result` (bounded by the backend's hard maximum per call, not its per-call timeout). A caller that gives up
 * (cancelled, timed out) cancels the task too, so that no work goes on that nobody will read.
 */
export async function callThroughTask(
  send: Exchanger,
  label: string,
  tool: string,
  args: Record<string, unknown>,
  options: BackendCallOptions,
): Promise<CallToolResult> {
  const created = await startToolTask(send, label, tool, args, {}, options);
  if (!isCreateTaskResult(created)) return created;
  const { taskId } = created.task;
  try {
    const result = await send(
      { method: 'tasks/result', params: { taskId } },
      toCallToolResult,
      { ...options, waits: true },
      { label, tool },
    );
    return withoutRelatedTask(result);
  } catch (error) {
    // The caller never saw the task: nobody else would cancel it.
    send({ method: 'tasks/cancel', params: { taskId } }, () => undefined, {}, { label, tool }).catch(
      () => undefined,
    );
    throw error;
  }
}

/** The result without the task it came from: the caller asked for a tool call, not for a task. */
function withoutRelatedTask(result: CallToolResult): CallToolResult {
  const meta = result._meta;
  if (meta === undefined || !(RELATED_TASK_META_KEY in meta)) return result;
  const { [RELATED_TASK_META_KEY]: _related, ...rest } = meta;
  const { _meta: _dropped, ...withoutMeta } = result;
  return Object.keys(rest).length > 0 ? { ...withoutMeta, _meta: rest } : withoutMeta;
}
