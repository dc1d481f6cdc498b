/**
 * `restart_server(name)`: starts a backend again now: a ready one gets a new process, a failed one a new attempt
 * (whatever its restart policy did so far).
 */
import { z } from 'zod';

import { backendStarted, BackendStartedOutput } from './backend-started.js';
import type { GatewayTool } from './gateway-tool.js';

/** The tool's arguments. */
export const RestartServerInput = z.object({
  name: z.string().min(1).describe('Name of the backend to start again (see list_servers).'),
});

export const restartServer: GatewayTool = {
  name: 'restart_server',
  description: () =>
    'Start a backend again now: a running one gets a new process (its calls in flight fail), a failed one a new ' +
    'attempt. Returns its status and tools, or why it could not start.',
  inputSchema: RestartServerInput,
  outputSchema: BackendStartedOutput,
  annotations: { title: 'Restart a backend server', destructiveHint: true, idempotentHint: false },
  handler: async (raw, context) => {
    const { name } = RestartServerInput.parse(raw);
    const backend = await context.directory.restart(name);
    return backendStarted('Restarted', backend);
  },
};
