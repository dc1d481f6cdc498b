/**
 * The one way a client's request reaches a backend tool, whichever of the three callers asks (a backend tool called
 * by its exposed name, `call_backend`, a pipeline step): tracked on the caller's session (so that what the backend
 * asks meanwhile reaches that caller), with failures handled as the caller's policy says.
 */
import type { CallToolResult, CreateTaskResult, TaskMetadata } from '@modelcontextprotocol/server';
import { GatewayError } from '../../errors/gateway-error.js';
import { plainMessage } from '../../errors/protocol-error.js';
import { backendRpcError, toErrorResult, toForwardedError } from '../../errors/to-wire.js';
import type { Logger } from '../../logger.js';
import type { CallerChannel } from '../../rpc/caller-channel.js';
import { isCreateTaskResult, type Backend, type BackendCallOptions } from '../../shared/backend.js';
import type { CallRoute, TraceSpan } from '../../shared/observation.js';
import { describeFilter, toolPasses } from '../../shared/tool-filter.js';
import type { SessionRouter } from '../hub/session-router.js';
import type { SessionState } from '../hub/session-state.js';
import { endSpanWith, endSpanWithResult, WatchedCall } from './observe-call.js';

/** How failures of a forwarded call come back. */
export interface ForwardPolicy {
  /**
   * The backend answered with a JSON-RPC error: `forward` passes it to the client as the backend sent it (code,
   * message, data); `result` makes it an `isError` result; `throw` rejects with the gateway's error naming the
   * backend and the tool.
   */
  readonly backendError: 'forward' | 'result' | 'throw';
  /**
   * The gateway got no answer (timeout, cancelled, backend not ready or exited): an `isError` result naming the
   * backend, the tool and the cause, which a model can read and act on; or a rejection with that error.
   */
  readonly gatewayFailure: 'result' | 'throw';
  /** How the call came to the backend, for its record (see `CallEvent.route`). */
  readonly route: CallRoute;
}

/** A backend tool called by its exposed name: the gateway is invisible, but its own failures are readable results. */
export const EXPOSED_TOOL_CALL: ForwardPolicy = {
  backendError: 'forward',
  gatewayFailure: 'result',
  route: 'tool',
};
/** `call_backend`: every failure is a result, as the tool's description promises. */
export const CALL_BACKEND: ForwardPolicy = {
  backendError: 'result',
  gatewayFailure: 'result',
  route: 'call_backend',
};
/** A pipeline step: the runner reports each failure in the step's outcome. */
export const PIPELINE_STEP: ForwardPolicy = {
  backendError: 'throw',
  gatewayFailure: 'throw',
  route: 'pipeline',
};

/** The request a forwarded call belongs to. */
export interface CallScope {
  readonly router: SessionRouter;
  readonly session: SessionState;
  readonly caller: CallerChannel;
  readonly logger: Logger;
  /** The span its backend requests are children of (the client request's, or a pipeline step's), when tracing. */
  readonly trace?: TraceSpan | undefined;
}

/**
 * Calls `tool` of `backend` for the request in `scope`; see {@link ForwardPolicy} for what a failure gives. The
 * call is recorded (when anyone listens) before the caller hears its outcome; a listener's refusal to take the
 * record (an audit log that must not lose one) is thrown, whatever the policy.
 */
export function forwardToolCall(
  scope: CallScope,
  backend: Backend,
  tool: string,
  args: Record<string, unknown>,
  options: BackendCallOptions,
  policy: ForwardPolicy,
): Promise<CallToolResult> {
  return forward(scope, backend, tool, args, policy, (hop) =>
    backend.callTool(tool, args, hop ? { ...options, meta: hop.outgoingMeta(options.meta) } : options),
  );
}

/**
 * Calls `tool` of `backend` as the task the caller asked for (2025-11-25), as a backend tool called by its exposed
 * name: the task the backend created comes back under the gateway's id for it, owned by the caller's session (see
 * `tasks/task-owners.ts`); a backend that ran the call at once gives its result.
 */
export async function forwardToolTask(
  scope: CallScope,
  backend: Backend,
  tool: string,
  args: Record<string, unknown>,
  task: TaskMetadata,
  options: BackendCallOptions,
): Promise<CallToolResult | CreateTaskResult> {
  const result = await forward(scope, backend, tool, args, EXPOSED_TOOL_CALL, (hop) =>
    backend.callToolAsTask(
      tool,
      args,
      task,
      hop ? { ...options, meta: hop.outgoingMeta(options.meta) } : options,
    ),
  );
  if (!isCreateTaskResult(result)) return result;
  const taskId = scope.router.tasks.adopt(scope.session, backend.name, result.task.taskId);
  return { ...result, task: { ...result.task, taskId } };
}

async function forward<T extends CallToolResult | CreateTaskResult>(
  scope: CallScope,
  backend: Backend,
  tool: string,
  args: Record<string, unknown>,
  policy: ForwardPolicy,
  call: (hop: TraceSpan | undefined) => Promise<T>,
): Promise<T | CallToolResult> {
  const hop = scope.trace?.child('hop', backend.name, tool);
  // With nobody listening, nothing is allocated: one boolean decides.
  const watched = scope.session.observation.watchingCalls
    ? new WatchedCall(scope.session, {
        method: 'tools/call',
        server: backend.name,
        tool,
        route: policy.route,
        arguments: args,
      })
    : undefined;
  let result: T;
  try {
    // The filter is a limit, not only a view: a tool it holds back is not reached by `call_backend` or a step.
    if (!toolPasses(tool, backend.toolFilter)) throw filteredOut(backend, tool);
    result = await scope.router.track(backend.name, scope.session, scope.caller, () => call(hop));
  } catch (error) {
    if (hop) endSpanWith(hop, error);
    if (watched) await watched.failed(error);
    const handling = backendRpcError(error) ? policy.backendError : policy.gatewayFailure;
    if (handling === 'forward') throw toForwardedError(error);
    if (handling === 'throw') throw error;
    const message = plainMessage(error);
    scope.logger.debug('forwarded call failed', { backend: backend.name, tool, error: message });
    return toErrorResult(message);
  }
  if (hop) endSpanWithResult(hop, result);
  // A task the backend created is an accepted call; its own outcome comes later, through tasks/*.
  if (watched) await watched.succeeded(!isCreateTaskResult(result) && result.isError === true);
  return result;
}

function filteredOut(backend: Backend, tool: string): GatewayError {
  return new GatewayError(
    'unknown_tool',
    `server "${backend.name}" does not expose tool "${tool}": its config's "tools" ${describeFilter(backend.toolFilter)} ` +
      'holds it back; change that filter to reach it',
    { backend: backend.name, tool },
  );
}
