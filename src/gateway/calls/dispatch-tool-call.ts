/**
 * What a `tools/call` does: runs a gateway tool, or forwards a backend tool called by its exposed name (or by its
 * own name, as an MCP App calls it). Every call arrives here from the fast path (`rpc/incoming-tool-calls.ts`), the
 * only way a session serves `tools/call`.
 */
import type { CallToolResult, CreateTaskResult, Progress } from '@modelcontextprotocol/server';
import { GatewayError } from '../../errors/gateway-error.js';
import { plainMessage } from '../../errors/protocol-error.js';
import { toErrorResult } from '../../errors/to-wire.js';
import type { Logger } from '../../logger.js';
import type { CallerChannel } from '../../rpc/caller-channel.js';
import type { ToolCallParams } from '../../rpc/tool-call-request.js';
import type { InputRound } from '../../shared/backend.js';
import type { LiveCatalog } from '../hub/live-catalog.js';
import type { SessionRouter } from '../hub/session-router.js';
import type { SessionState } from '../hub/session-state.js';
import { describeToolFailure, type GatewayTool, type ToolContext } from '../tools/gateway-tool.js';
import { GATEWAY_TOOLS } from '../tools/index.js';
import { EXPOSED_TOOL_CALL, forwardToolCall, forwardToolTask, type CallScope } from './forward-tool-call.js';
import type { TraceSpan } from '../../shared/observation.js';
import { gatewayToolAllowed, gatewayToolRefusal } from '../access/gateway-tool-access.js';
import {
  admitRequest,
  CHANGING_TOOLS,
  endingSpan,
  isAccessDenied,
  isRefusal,
  recordAccessRefusal,
  startRequestSpan,
  WatchedChange,
  type CallTarget,
} from './observe-call.js';
import { resolveAppCall, type AppCallTarget } from './resolve-app-call.js';

/** The part of a gateway tool's context that is the same for every call of a session. */
export type SessionToolContext = Omit<
  ToolContext,
  'forward' | 'signal' | 'reportProgress' | 'meta' | 'trace'
>;

/** What a session's calls share. */
export interface ToolCallScope {
  readonly catalog: LiveCatalog;
  readonly router: SessionRouter;
  readonly session: SessionState;
  readonly toolContext: SessionToolContext;
  readonly logger: Logger;
}

const TOOLS_BY_NAME = new Map(GATEWAY_TOOLS.map((tool) => [tool.name, tool]));

/** How many backend tool names an unknown-tool error lists before pointing to search_tools instead. */
const LISTED_BACKEND_TOOLS = 20;

/**
 * Runs one call. A gateway tool's failure is an `isError` result; a backend tool's failures are as
 * {@link EXPOSED_TOOL_CALL} says; an unknown name is a JSON-RPC error (InvalidParams) naming what exists. When
 * gates are set (limits, a required audit log), the call must pass them first: a refusal is a JSON-RPC error that
 * says which limit and when to retry. At log level debug each call is traced: session, tool (and backend),
 * duration, outcome; never argument values.
 */
export function dispatchToolCall(
  params: ToolCallParams,
  caller: CallerChannel,
  scope: ToolCallScope,
  inputRound?: InputRound,
): Promise<CallToolResult | CreateTaskResult> {
  const { observation } = scope.session;
  // With no tracer, no span: one boolean decides.
  const span = observation.tracing
    ? startRequestSpan(scope.session, 'tools/call', params.name, params._meta)
    : undefined;
  const running = observation.gated
    ? admittedToolCall(params, caller, scope, inputRound, span)
    : tracedToolCall(params, caller, scope, inputRound, span);
  return span ? endingSpan(span, running) : running;
}

async function admittedToolCall(
  params: ToolCallParams,
  caller: CallerChannel,
  scope: ToolCallScope,
  inputRound: InputRound | undefined,
  span: TraceSpan | undefined,
): Promise<CallToolResult | CreateTaskResult> {
  const admission = await admitRequest(scope.session, 'tools/call', () => refusedTarget(params, scope));
  try {
    return await tracedToolCall(params, caller, scope, inputRound, span);
  } finally {
    admission.release();
  }
}

/** What a refused call named, for its record: the backend tool it would have reached, or the gateway tool. */
function refusedTarget(params: ToolCallParams, scope: ToolCallScope): Omit<CallTarget, 'method'> {
  const target = traceTarget(params, scope);
  return {
    server: target.backend,
    tool: target.backendTool ?? params.name,
    route: params.name === 'call_backend' ? 'call_backend' : 'tool',
    arguments: params.arguments,
  };
}

async function tracedToolCall(
  params: ToolCallParams,
  caller: CallerChannel,
  scope: ToolCallScope,
  inputRound: InputRound | undefined,
  span: TraceSpan | undefined,
): Promise<CallToolResult | CreateTaskResult> {
  if (!scope.logger.enabled('debug')) return runToolCall(params, caller, scope, inputRound, span);
  const started = performance.now();
  const trace = (outcome: string): void =>
    scope.logger.debug('tools/call', {
      session: scope.session.label,
      tool: params.name,
      ...traceTarget(params, scope),
      ms: Math.round((performance.now() - started) * 10) / 10,
      outcome,
    });
  try {
    const result = await runToolCall(params, caller, scope, inputRound, span);
    trace('isError' in result && result.isError === true ? 'isError' : 'ok');
    return result;
  } catch (error) {
    trace(`error: ${plainMessage(error)}`);
    throw error;
  }
}

/**
 * The backend a call reaches, for the trace: by exposed name (or its own), or the `server` and `tool` of
 * `call_backend`.
 */
function traceTarget(params: ToolCallParams, scope: ToolCallScope): Record<string, string> {
  const { server, tool } = params.arguments ?? {};
  if (params.name === 'call_backend' && typeof server === 'string' && typeof tool === 'string') {
    return { backend: server, backendTool: tool };
  }
  if (TOOLS_BY_NAME.has(params.name)) return {};
  try {
    const target = backendTarget(params.name, scope);
    return target ? { backend: target.backend.name, backendTool: target.tool } : {};
  } catch {
    // An ambiguous name reached no backend: the trace's outcome says why.
    return {};
  }
}

/**
 * The backend tool `name` (not a gateway tool's) reaches: the exposed name of a ready backend's tool, else one of a
 * backend that is not ready (which goes to it all the same: its refusal says why, failed, disabled...), and only
 * then a backend tool's own name, as an app calls it (see `resolve-app-call.ts`), so that an own name never shadows
 * an exposed one. Throws when an own name is ambiguous.
 */
function backendTarget(name: string, scope: ToolCallScope): AppCallTarget | undefined {
  const exposed = scope.catalog.tools().byName.get(name);
  if (exposed) return { backend: exposed.backend, tool: exposed.originalName };
  return scope.catalog.unavailableTool(name) ?? resolveAppCall(name, scope.catalog.apps());
}

async function runToolCall(
  params: ToolCallParams,
  caller: CallerChannel,
  scope: ToolCallScope,
  inputRound: InputRound | undefined,
  span: TraceSpan | undefined,
): Promise<CallToolResult | CreateTaskResult> {
  const { name, _meta: meta } = params;
  const args = params.arguments ?? {};
  const reportProgress = progressReporter(meta, caller, scope.logger);
  const callScope: CallScope = {
    router: scope.router,
    session: scope.session,
    caller,
    logger: scope.logger,
    trace: span,
  };
  const tool = TOOLS_BY_NAME.get(name);
  if (!tool) {
    const target = backendTarget(name, scope);
    if (!target) throw unknownTool(name, scope);
    const options = {
      signal: caller.signal,
      onProgress: reportProgress,
      meta,
      inputRound,
      clientCapabilities: scope.session.peer.clientCapabilities(),
      // A 2025 client that set no level hears what a 2025 backend sends unasked: everything.
      logLevel: caller.logLevel ?? scope.session.logLevel ?? 'debug',
      // Read only by a backend that connects per principal: a field of this object, nothing more on the hot path.
      principal: scope.session.identity.principal,
    };
    if (params.task !== undefined) {
      return forwardToolTask(callScope, target.backend, target.tool, args, params.task, options);
    }
    return forwardToolCall(callScope, target.backend, target.tool, args, options, EXPOSED_TOOL_CALL);
  }
  const { access } = scope.session;
  const refused = gatewayToolRefusal(access.rights(), access.principal, name);
  if (refused) {
    const target = {
      method: 'tools/call',
      server: undefined,
      tool: name,
      route: 'tool',
      arguments: args,
    } as const;
    await recordAccessRefusal(scope.session, target, refused);
    throw refused;
  }
  return runGatewayTool(tool, args, scope, {
    ...scope.toolContext,
    forward: (backend, backendTool, backendArgs, options, policy, parent) =>
      forwardToolCall(
        parent ? { ...callScope, trace: parent } : callScope,
        backend,
        backendTool,
        backendArgs,
        // call_backend and pipeline steps act as the caller's principal too.
        { ...options, principal: scope.session.identity.principal },
        policy,
      ),
    signal: caller.signal,
    reportProgress,
    meta,
    trace: span,
  });
}

/**
 * Runs a gateway tool; its failure is an `isError` result, but for a refusal (of a backend call it made), which is
 * the client's JSON-RPC error. A tool that changes the gateway is recorded, when anyone listens to changes.
 */
async function runGatewayTool(
  tool: GatewayTool,
  args: Record<string, unknown>,
  scope: ToolCallScope,
  context: ToolContext,
): Promise<CallToolResult> {
  const action = CHANGING_TOOLS.get(tool.name);
  const watched =
    action !== undefined && scope.session.observation.watchingChanges
      ? new WatchedChange(scope.session, action, typeof args.name === 'string' ? args.name : undefined)
      : undefined;
  let result: CallToolResult;
  try {
    result = await tool.handler(args, context);
  } catch (error) {
    if (isRefusal(error)) throw error;
    if (isAccessDenied(error))
      await recordAccessRefusal(scope.session, refusedBy(tool.name, args, error), error);
    const message = describeToolFailure(tool.name, error);
    scope.logger.debug('tool call failed', { tool: tool.name, error: message });
    if (watched) await watched.failed(error);
    return toErrorResult(message);
  }
  if (watched) await watched.succeeded();
  return result;
}

/** What a gateway tool's call refused by the access rules named, for its record. */
function refusedBy(name: string, args: Record<string, unknown>, error: GatewayError): CallTarget {
  const route = name === 'route_pipeline' ? 'pipeline' : name === 'call_backend' ? 'call_backend' : 'tool';
  return { method: 'tools/call', server: error.backend, tool: error.tool ?? name, route, arguments: args };
}

/** Names what exists (for the session's rights): every gateway tool, and the backend tools while they are few. */
function unknownTool(name: string, scope: ToolCallScope): GatewayError {
  const rights = scope.session.access.rights();
  const backendNames = [...rights.tools(scope.catalog.tools()).byName.keys()];
  const listed = backendNames.slice(0, LISTED_BACKEND_TOOLS);
  const more = backendNames.length - listed.length;
  const gatewayTools = [...TOOLS_BY_NAME.keys()].filter((tool) => gatewayToolAllowed(rights, tool));
  const available = [...gatewayTools, ...listed].join(', ');
  const rest = more > 0 ? ` and ${more} more backend tools (search_tools finds them)` : '';
  return new GatewayError('unknown_tool', `Unknown tool "${name}"; available: ${available}${rest}`);
}

/** Relays progress to the caller under its own token; none when the caller did not ask for progress. */
function progressReporter(
  meta: Readonly<Record<string, unknown>> | undefined,
  caller: CallerChannel,
  logger: Logger,
): ((progress: Progress) => void) | undefined {
  const progressToken = meta?.progressToken;
  if (typeof progressToken !== 'string' && typeof progressToken !== 'number') return undefined;
  return (progress) => {
    caller
      .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } })
      .catch((error: unknown) =>
        logger.debug('could not relay progress', { error: (error as Error).message }),
      );
  };
}
