/**
 * `register_server(name, command, args?, description?)`: starts a backend (a local command, or the URL of a remote
 * server), completes its handshake and makes its tools callable.
 */
import { z } from 'zod';

import { ServerNameSchema } from '../../backends/server-config.js';
import { BackendStateSchema } from '../../shared/backend-info.js';
import type { GatewayTool } from './gateway-tool.js';

/** The tool's arguments. */
export const RegisterServerInput = z.object({
  name: ServerNameSchema.describe('Unique name for the backend: 1 to 32 letters, digits, "_" or "-".'),
  command: z
    .string()
    .min(1)
    .describe('Executable to start, e.g. "node", "npx" or "/usr/local/bin/my-server".'),
  args: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe(
      'Arguments: a space-separated string split as a shell would (quotes respected, never run through a shell), ' +
        'or an array of strings.',
    ),
  description: z.string().optional().describe('What this backend is for.'),
});

/** The tool's `structuredContent`. */
export const RegisterServerOutput = z.object({
  name: z.string(),
  status: BackendStateSchema,
  tools: z.array(z.string()),
});

/** A URL in place of a command registers a remote backend (Streamable HTTP, or SSE for older servers). */
const REMOTE_URL = /^https?:\/\//i;

export const registerServer: GatewayTool = {
  name: 'register_server',
  description: () =>
    'Start a backend MCP server (a local command speaking MCP over stdio, or the URL of a remote one), complete ' +
    'its handshake and make its tools callable. Returns the name, status and tool names.',
  inputSchema: RegisterServerInput,
  outputSchema: RegisterServerOutput,
  annotations: { title: 'Register a backend server', destructiveHint: false, openWorldHint: true },
  handler: async (raw, context) => {
    const args = RegisterServerInput.parse(raw);
    const command = await context.registration.authorize({
      name: args.name,
      command: args.command,
      args: args.args,
      baseDir: context.baseDir,
    });
    const config = REMOTE_URL.test(command)
      ? { url: command, description: args.description }
      : { command, args: args.args, description: args.description };
    const backend = await context.directory.register(args.name, config, { baseDir: context.baseDir });
    const tools = backend.tools().map((tool) => tool.name);
    return {
      content: [
        {
          type: 'text',
          text: `Registered server "${backend.name}" (${backend.state}) with ${tools.length} tool(s): ${tools.join(', ') || 'none'}`,
        },
      ],
      structuredContent: { name: backend.name, status: backend.state, tools },
    };
  },
};
