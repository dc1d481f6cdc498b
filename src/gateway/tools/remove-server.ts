/**
 * `remove_server(name)`: stops a backend and removes it; its calls in flight fail.
 */
import { z } from 'zod';

import type { GatewayTool } from './gateway-tool.js';

/** The tool's arguments. */
export const RemoveServerInput = z.object({
  name: z.string().min(1).describe('Name of the backend to stop and remove.'),
});

/** The tool's `structuredContent`. */
export const RemoveServerOutput = z.object({ name: z.string(), removed: z.boolean() });

export const removeServer: GatewayTool = {
  name: 'remove_server',
  description: () => 'Stop a registered backend server and remove it. Its calls in flight fail.',
  inputSchema: RemoveServerInput,
  outputSchema: RemoveServerOutput,
  annotations: { title: 'Remove a backend server', destructiveHint: true, idempotentHint: false },
  handler: async (raw, context) => {
    const { name } = RemoveServerInput.parse(raw);
    await context.directory.remove(name);
    return {
      content: [{ type: 'text', text: `Removed server "${name}"` }],
      structuredContent: { name, removed: true },
    };
  },
};
