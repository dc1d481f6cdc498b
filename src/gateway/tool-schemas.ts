/**
 * Input and output schemas of the gateway's own tools. Defined once with zod: the handlers validate with them
 * and `tools/list` advertises them as JSON Schema.
 */
import { z } from 'zod';

import { ServerNameSchema } from '../backends/server-config.js';
import { PipelineStepSchema } from '../pipelines/pipeline-schema.js';

/** A JSON object, or a string holding one (the original tools took JSON strings). */
const JsonObjectOrString = z.union([z.string(), z.record(z.string(), z.unknown())]);

/** `register_server(name, command, args, description)`. */
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

/** `remove_server(name)`. */
export const RemoveServerInput = z.object({
  name: z.string().min(1).describe('Name of the backend to stop and remove.'),
});

/** `list_servers()`. */
export const ListServersInput = z.object({});

/** `call_backend(server, tool, params)`. */
export const CallBackendInput = z.object({
  server: z.string().min(1).describe('Name of a registered backend (see list_servers).'),
  tool: z.string().min(1).describe("Name of the backend's tool."),
  params: JsonObjectOrString.optional().describe(
    'Arguments for the tool: a JSON object, or a string holding one (e.g. "{\\"state\\": \\"CA\\"}"). Default {}.',
  ),
});

/** `route_pipeline(scenario, input?, steps?)`. */
export const RoutePipelineInput = z.object({
  scenario: z
    .string()
    .min(1)
    .describe('Name of the pipeline to run, or "custom" to run the steps given in `steps`.'),
  input: JsonObjectOrString.optional().describe(
    'Input values of the pipeline, read by {{input.NAME}} in its steps, e.g. {"state": "NY"}. A named pipeline ' +
      'takes the inputs it declares (see the scenarios); the others have defaults. A JSON string holding the ' +
      'object is accepted too.',
  ),
  steps: z
    .union([z.string(), z.array(PipelineStepSchema)])
    .optional()
    .describe(
      'For "custom": the steps, [{id?, server, tool, params?, after?, timeoutMs?, optional?}]. A step starts once ' +
        'the steps whose ids its `after` lists are done; steps that wait for nothing start at once. Strings in ' +
        'params may hold {{input.NAME}} and {{steps.ID.text}} templates. A JSON string holding the array is ' +
        'accepted too.',
    ),
});

/** How many tools `search_tools` returns when not told, and at most. */
export const SEARCH_LIMIT_DEFAULT = 5;
export const SEARCH_LIMIT_MAX = 50;

/** `search_tools(query, server?, limit?)`. */
export const SearchToolsInput = z.object({
  query: z
    .string()
    .optional()
    .describe(
      'What you want to do, in plain words, e.g. "save a note about a person" or "list the tables of a database". ' +
        'May be empty when `server` is given: then every tool of that server is returned.',
    ),
  server: z.string().min(1).optional().describe('Search only the tools of this backend (see list_servers).'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(SEARCH_LIMIT_MAX)
    .optional()
    .describe(
      `How many tools to return, best first: 1 to ${SEARCH_LIMIT_MAX}, default ${SEARCH_LIMIT_DEFAULT} ` +
        "(when listing a server's tools: all of them).",
    ),
});

const ServerState = z.enum(['starting', 'ready', 'failed', 'stopped']);

/** `structuredContent` of `register_server`. */
export const RegisterServerOutput = z.object({
  name: z.string(),
  status: ServerState,
  tools: z.array(z.string()),
});

/** `structuredContent` of `remove_server`. */
export const RemoveServerOutput = z.object({ name: z.string(), removed: z.boolean() });

/** `structuredContent` of `list_servers`. */
export const ListServersOutput = z.object({
  servers: z.array(
    z.object({
      name: z.string(),
      state: ServerState,
      description: z.string(),
      command: z.string(),
      pid: z.number().int().nullable(),
      uptimeMs: z.number().int().nullable(),
      toolCount: z.number().int(),
      tools: z.array(z.string()),
      calls: z.number().int(),
      errors: z.number().int(),
      restarts: z.number().int(),
      nextRetryAt: z.string().nullable(),
      skippedLines: z.number().int(),
      lastError: z.string().nullable(),
    }),
  ),
  conflicts: z.array(
    z.object({ server: z.string(), name: z.string(), exposedAs: z.string(), conflictsWith: z.string() }),
  ),
});

/** `structuredContent` of `route_pipeline`. */
export const RoutePipelineOutput = z.object({
  scenario: z.string(),
  ok: z.boolean(),
  durationMs: z.number(),
  steps: z.array(
    z.object({
      id: z.string(),
      server: z.string(),
      tool: z.string(),
      status: z.enum(['ok', 'error', 'skipped']),
      durationMs: z.number(),
      optional: z.boolean().optional(),
      result: z.unknown().optional(),
      error: z.string().optional(),
    }),
  ),
});

/** `structuredContent` of `search_tools`. */
export const SearchToolsOutput = z.object({
  query: z.string(),
  server: z.string().nullable(),
  /** Tools that matched (or that the server has, when listing one), of which `results` holds the first `limit`. */
  total: z.number().int(),
  results: z.array(
    z.object({
      server: z.string(),
      /** The backend's own name for the tool: what `call_backend` takes as `tool`. */
      tool: z.string(),
      /** The name the gateway exposes it under (`server__tool`). */
      name: z.string(),
      /** The arguments of `call_backend` that reach it, besides `params`. */
      callBackend: z.object({ server: z.string(), tool: z.string() }),
      description: z.string(),
      inputSchema: z.record(z.string(), z.unknown()),
      /** Relevance (higher is better, comparable within one search only); null when listing a server's tools. */
      score: z.number().nullable(),
    }),
  ),
});
