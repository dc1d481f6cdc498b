import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/sdk/types.js';

import { GatewayError, plainMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Exposed } from './catalog.js';
import { toForwardedError } from './forwarded-error.js';
import type { CallerChannel, GatewayHub, SessionState } from './gateway-hub.js';

/** What forwarding one call needs from the request being served. */
export interface ExposedCallContext {
  readonly hub: GatewayHub;
  readonly session: SessionState;
  readonly caller: CallerChannel;
  readonly reportProgress: ((progress: Progress) => void) | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  readonly logger: Logger;
}

/**
 * Forwards a call of a backend tool listed under its exposed name, with the rules of `call_backend`: the backend's
 * result comes back unchanged, a JSON-RPC error of the backend comes back as that error (same code and message),
 * and the gateway's own failures (timeout, a backend that exited or is not ready) are `isError` results naming
 * the backend, the tool and the cause, as a model can read and act on them.
 */
export async function callExposedTool(
  exposed: Exposed<Tool>,
  args: Record<string, unknown>,
  context: ExposedCallContext,
): Promise<CallToolResult> {
  const { upstream, originalName } = exposed;
  try {
    return await context.hub.track(upstream.name, context.session, context.caller, () =>
      upstream.callTool(originalName, args, {
        signal: context.caller.signal,
        onProgress: context.reportProgress,
        meta: context.meta,
      }),
    );
  } catch (error) {
    if (error instanceof GatewayError && error.rpcCode !== undefined) throw toForwardedError(error);
    context.logger.debug('forwarded call failed', { tool: exposed.exposedName, error: plainMessage(error) });
    return { content: [{ type: 'text', text: plainMessage(error) }], isError: true };
  }
}
