/**
 * `call_backend(server, tool, params?)`: calls a tool of a registered backend and returns the backend's result
 * unchanged; every failure (the backend's own JSON-RPC error included) is an `isError` result a model can read.
 */
import { z } from 'zod';

import { GatewayError } from '../../errors/gateway-error.js';
import { formatDuration } from '../../shared/format-duration.js';
import { namesPassing } from '../../shared/tool-filter.js';
import { CALL_BACKEND } from '../calls/forward-tool-call.js';
import type { GatewayTool } from './gateway-tool.js';
import { JsonObjectOrString, parseJsonObjectArgument } from './json-argument.js';

/** The tool's arguments. */
export const CallBackendInput = z.object({
  server: z.string().min(1).describe('Name of a registered backend (see list_servers).'),
  tool: z.string().min(1).describe("Name of the backend's tool."),
  params: JsonObjectOrString.optional().describe(
    'Arguments for the tool: a JSON object, or a string holding one (e.g. "{\\"state\\": \\"CA\\"}"). Default {}.',
  ),
});

export const callBackend: GatewayTool = {
  name: 'call_backend',
  description: ({ defaultTimeoutMs }) =>
    "Call a tool of a registered backend and return the backend's result unchanged. Each call has a timeout " +
    `(${formatDuration(defaultTimeoutMs)} unless configured otherwise for that backend).`,
  inputSchema: CallBackendInput,
  annotations: { title: 'Call a backend tool', openWorldHint: true },
  handler: (raw, context) => {
    const args = CallBackendInput.parse(raw);
    const params = parseJsonObjectArgument(args.params, 'params');
    const backend = context.directory.get(args.server);
    if (!backend) {
      throw new GatewayError(
        'unknown_server',
        `unknown server "${args.server}"; registered: ${context.directory.describeNames()}`,
        { backend: args.server, tool: args.tool },
      );
    }
    if (backend.state === 'ready' && !backend.tools().some((tool) => tool.name === args.tool)) {
      const available = namesPassing(backend.tools(), backend.toolFilter);
      throw new GatewayError(
        'unknown_tool',
        `server "${args.server}" has no tool "${args.tool}"; its tools: ${available.join(', ') || 'none'}`,
        { backend: args.server, tool: args.tool },
      );
    }
    const withheld = context.withheldTool(backend.name, args.tool);
    if (withheld) throw withheld;
    return context.forward(
      backend,
      args.tool,
      params,
      { signal: context.signal, onProgress: context.reportProgress, meta: context.meta },
      CALL_BACKEND,
    );
  },
};
