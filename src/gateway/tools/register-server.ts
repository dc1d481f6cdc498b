/**
 * `register_server(name, command | url, ...)`: starts a backend (a local command, or the URL of a remote server),
 * completes its handshake and makes its tools callable.
 */
import { z } from 'zod';

import { ServerNameSchema } from '../../backends/server-config.js';
import { backendStarted, BackendStartedOutput } from './backend-started.js';
import type { GatewayTool } from './gateway-tool.js';

/** A URL in place of a command registers a remote backend too (the first form this tool took). */
const REMOTE_URL = /^https?:\/\//i;

/** The tool's arguments. */
export const RegisterServerInput = z
  .object({
    name: ServerNameSchema.describe('Unique name for the backend: 1 to 32 letters, digits, "_" or "-".'),
    command: z
      .string()
      .min(1)
      .optional()
      .describe('Executable to start, e.g. "node", "npx" or "/usr/local/bin/my-server". Give this or `url`.'),
    args: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe(
        'Arguments: a space-separated string split as a shell would (quotes respected, never run through a ' +
          'shell), or an array of strings.',
      ),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'Environment variables for the backend, beside the few it inherits (PATH, HOME...), e.g. an API token. ' +
          'Never shown in logs, errors or list_servers.',
      ),
    cwd: z.string().min(1).optional().describe("Working folder of the backend; default the gateway's."),
    url: z
      .url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL' })
      .optional()
      .describe(
        'URL of a remote backend (Streamable HTTP, or SSE for older servers). Give this or `command`.',
      ),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('HTTP headers sent to a remote backend (e.g. Authorization). Never shown anywhere.'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Timeout of each call to this backend, in ms.'),
    description: z.string().optional().describe('What this backend is for.'),
  })
  .refine((args) => (args.command === undefined) !== (args.url === undefined), {
    error: 'give exactly one of "command" (a local server) and "url" (a remote one)',
  })
  .refine((args) => args.url === undefined || (args.args === undefined && args.env === undefined), {
    error: '"args" and "env" belong to a local server ("command"), not to a "url"',
  })
  .refine(
    (args) => args.headers === undefined || args.url !== undefined || REMOTE_URL.test(args.command ?? ''),
    {
      error: '"headers" belong to a remote server ("url")',
    },
  );

export const registerServer: GatewayTool = {
  name: 'register_server',
  description: () =>
    'Start a backend MCP server (a local command speaking MCP over stdio, or the URL of a remote one), complete ' +
    'its handshake and make its tools callable. Returns the name, status and tool names.',
  inputSchema: RegisterServerInput,
  outputSchema: BackendStartedOutput,
  annotations: { title: 'Register a backend server', destructiveHint: false, openWorldHint: true },
  handler: async (raw, context) => {
    const args = RegisterServerInput.parse(raw);
    const command = await context.registration.authorize({
      name: args.name,
      command: args.url ?? args.command ?? '',
      args: args.args,
      baseDir: context.baseDir,
    });
    const common = { description: args.description, timeoutMs: args.timeoutMs };
    const config = REMOTE_URL.test(command)
      ? { ...common, url: command, headers: args.headers }
      : { ...common, command, args: args.args, env: args.env, cwd: args.cwd };
    const backend = await context.directory.register(args.name, config, { baseDir: context.baseDir });
    return backendStarted('Registered', backend);
  },
};
