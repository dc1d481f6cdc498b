/**
 * `restart_server(name)`: starts a backend again now: a ready one gets a new process, a failed one a new attempt
 * (whatever its restart policy did so far).
 */
import { z } from 'zod';

import { BackendStateSchema } from '../../shared/backend-info.js';
import { namesPassing } from '../../shared/tool-filter.js';
import type { GatewayTool } from './gateway-tool.js';

/** The tool's arguments. */
export const RestartServerInput = z.object({
  name: z.string().min(1).describe('Name of the backend to start again (see list_servers).'),
});

/** The tool's `structuredContent`. */
export const RestartServerOutput = z.object({
  name: z.string(),
  status: BackendStateSchema,
  tools: z.array(z.string()),
});

export const restartServer: GatewayTool = {
  name: 'restart_server',
  description: () =>
    'Start a backend again now: a running one gets a new process (its calls in flight fail), a failed one a new ' +
    'attempt. Returns its status and tools, or why it could not start.',
  inputSchema: RestartServerInput,
  outputSchema: RestartServerOutput,
  annotations: { title: 'Restart a backend server', destructiveHint: true, idempotentHint: false },
  handler: async (raw, context) => {
    const { name } = RestartServerInput.parse(raw);
    const backend = await context.directory.restart(name);
    const tools = namesPassing(backend.tools(), backend.toolFilter);
    return {
      content: [
        {
          type: 'text',
          text: `Restarted server "${backend.name}" (${backend.state}) with ${tools.length} tool(s): ${tools.join(', ') || 'none'}`,
        },
      ],
      structuredContent: { name: backend.name, status: backend.state, tools },
    };
  },
};
