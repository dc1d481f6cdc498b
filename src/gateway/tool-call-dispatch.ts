/**
 * What a `tools/call` does, whichever way it arrived: through the SDK Server's handler, or straight from the
 * transport (see `tool-call-shortcut.ts`). Both ways end here, so a call behaves the same on either.
 */
import { ErrorCode, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';

import { ProtocolError } from '../errors.js';
import type { Logger } from '../logger.js';
import { callExposedTool } from './call-exposed-tool.js';
import type { CallerChannel, GatewayHub, SessionState } from './gateway-hub.js';
import { describeToolFailure, type GatewayTool, type ToolContext } from './gateway-tools.js';

/** The parameters of one `tools/call`. */
export interface ToolCallParams {
  readonly name: string;
  readonly arguments?: Record<string, unknown> | undefined;
  readonly _meta?: Readonly<Record<string, unknown>> | undefined;
}

/** The part of a gateway tool's context that is the same for every call of a session. */
export type SessionToolContext = Omit<ToolContext, 'trackCall' | 'signal' | 'reportProgress' | 'meta'>;

/** What a session's calls share: the gateway's tools, the backends and the session. */
export interface ToolCallScope {
  readonly toolsByName: ReadonlyMap<string, GatewayTool>;
  readonly hub: GatewayHub;
  readonly session: SessionState;
  readonly toolContext: SessionToolContext;
  readonly logger: Logger;
}

/**
 * Runs one call: a gateway tool, or a backend tool under its exposed name. Failures of a gateway tool come back as
 * `isError` results; an unknown name is a JSON-RPC error (thrown as a ProtocolError).
 */
export async function dispatchToolCall(
  params: ToolCallParams,
  caller: CallerChannel,
  scope: ToolCallScope,
): Promise<CallToolResult> {
  const { name, _meta: meta } = params;
  const args = params.arguments ?? {};
  const reportProgress = progressReporter(meta, caller, scope.logger);
  const tool = scope.toolsByName.get(name);
  if (!tool) {
    const exposed = scope.hub.tools().byName.get(name);
    if (!exposed) throw unknownTool(name, scope);
    return callExposedTool(exposed, args, {
      hub: scope.hub,
      session: scope.session,
      caller,
      reportProgress,
      meta,
      logger: scope.logger,
    });
  }
  try {
    return await tool.handler(args, {
      ...scope.toolContext,
      trackCall: (server, run) => scope.hub.track(server, scope.session, caller, run),
      signal: caller.signal,
      reportProgress,
      meta,
    });
  } catch (error) {
    const message = describeToolFailure(name, error);
    scope.logger.debug('tool call failed', { tool: name, error: message });
    return { content: [{ type: 'text', text: message }], isError: true };
  }
}

/** How many backend tool names an unknown-tool error lists before pointing to search_tools instead. */
const LISTED_BACKEND_TOOLS = 20;

/** InvalidParams naming what exists: every gateway tool, and the backend tools while they are few. */
function unknownTool(name: string, scope: ToolCallScope): ProtocolError {
  const backendNames = [...scope.hub.tools().byName.keys()];
  const listed = backendNames.slice(0, LISTED_BACKEND_TOOLS);
  const more = backendNames.length - listed.length;
  const available = [...scope.toolsByName.keys(), ...listed].join(', ');
  const rest = more > 0 ? ` and ${more} more backend tools (search_tools finds them)` : '';
  return new ProtocolError(ErrorCode.InvalidParams, `Unknown tool "${name}"; available: ${available}${rest}`);
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
