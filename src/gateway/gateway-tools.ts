/**
 * The gateway's own tools: the original's five, with their names and parameters (register_server, remove_server,
 * list_servers, call_backend, route_pipeline), and search_tools (in search-tools.ts).
 */
import type { CallToolResult, Progress, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { formatIssues } from '../config/format-issues.js';
import { PipelineStepSchema } from '../pipelines/pipeline-schema.js';
import { GatewayError, plainMessage } from '../errors.js';
import { buildPipeline, type PipelineCatalog } from '../pipelines/build-pipeline.js';
import { CUSTOM_SCENARIO } from '../pipelines/builtin-pipelines.js';
import type { Pipeline } from '../pipelines/pipeline.js';
import { describeInputs } from '../pipelines/pipeline-inputs.js';
import { runPipeline } from '../pipelines/run-pipeline.js';
import type { NameConflict } from './catalog.js';
import { formatPipelineOutcome, formatServerList } from './format-results.js';
import { parseJsonArgument, parseJsonObjectArgument } from './parse-json-argument.js';
import type { RegistrationPolicy } from './registration-policy.js';
import { searchTools } from './search-tools.js';
import {
  CallBackendInput,
  ListServersInput,
  ListServersOutput,
  RegisterServerInput,
  RegisterServerOutput,
  RemoveServerInput,
  RemoveServerOutput,
  RoutePipelineInput,
  RoutePipelineOutput,
} from './tool-schemas.js';
import type { ToolSearchIndex } from './tool-search-index.js';
import type { UpstreamDirectory } from './upstream.js';

/** What a tool handler can reach while it runs. */
export interface ToolContext {
  readonly directory: UpstreamDirectory;
  readonly pipelines: PipelineCatalog;
  /** Folder that relative paths in `register_server` resolve against. */
  readonly baseDir: string;
  /** Decides whether `register_server` may start what it is asked to, before anything starts. */
  readonly registration: RegistrationPolicy;
  /**
   * Runs a call to backend `server` as part of this request, so that what the backend asks meanwhile (sampling,
   * elicitation, roots) and its log messages reach the caller.
   */
  readonly trackCall: <T>(server: string, run: () => Promise<T>) => Promise<T>;
  /** Backend tools exposed under another name than they asked for, and why. */
  readonly nameConflicts: () => readonly NameConflict[];
  /** The search index over the exposed backend tools, as of now (rebuilt only after the tools changed). */
  readonly searchIndex: () => ToolSearchIndex;
  /** Aborted when the caller cancels the call. */
  readonly signal: AbortSignal;
  /** Sends a progress notification to the caller; present only when the caller asked for progress. */
  readonly reportProgress: ((progress: Progress) => void) | undefined;
  /** `_meta` of the caller's request. */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
}

/** One of the gateway's own tools. */
export interface GatewayTool {
  readonly name: string;
  /** A function because `route_pipeline` lists the scenarios available at the time of listing. */
  readonly description: (context: Pick<ToolContext, 'pipelines'>) => string;
  readonly inputSchema: z.ZodObject;
  readonly outputSchema?: z.ZodObject;
  readonly annotations: ToolAnnotations;
  readonly handler: (args: Record<string, unknown>, context: ToolContext) => Promise<CallToolResult>;
}

const registerServer: GatewayTool = {
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
    // A URL in place of a command registers a remote backend (Streamable HTTP, or SSE for older servers).
    const config = /^https?:\/\//i.test(command)
      ? { url: command, description: args.description }
      : { command, args: args.args, description: args.description };
    const upstream = await context.directory.register(args.name, config, { baseDir: context.baseDir });
    const tools = upstream.tools().map((tool) => tool.name);
    const structured = { name: upstream.name, status: upstream.state, tools };
    return {
      content: [
        {
          type: 'text',
          text: `Registered server "${upstream.name}" (${upstream.state}) with ${tools.length} tool(s): ${tools.join(', ') || 'none'}`,
        },
      ],
      structuredContent: structured,
    };
  },
};

const removeServer: GatewayTool = {
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

const listServers: GatewayTool = {
  name: 'list_servers',
  description: () =>
    'List every registered backend: state (starting, ready, failed, stopped), description, command, tools, pid, ' +
    'uptime, calls and errors so far, and the last error.',
  inputSchema: ListServersInput,
  outputSchema: ListServersOutput,
  annotations: { title: 'List backend servers', readOnlyHint: true },
  handler: (_raw, context) => {
    const servers = context.directory.list().map((upstream) => upstream.info());
    const conflicts = context.nameConflicts();
    return Promise.resolve({
      content: [{ type: 'text', text: formatServerList(servers, conflicts) }],
      structuredContent: { servers, conflicts },
    });
  },
};

const callBackend: GatewayTool = {
  name: 'call_backend',
  description: () =>
    "Call a tool of a registered backend and return the backend's result unchanged. Each call has a timeout " +
    '(10 s unless configured otherwise for that backend).',
  inputSchema: CallBackendInput,
  annotations: { title: 'Call a backend tool', openWorldHint: true },
  handler: async (raw, context) => {
    const args = CallBackendInput.parse(raw);
    const params = parseJsonObjectArgument(args.params, 'params');
    const upstream = context.directory.get(args.server);
    if (!upstream) {
      throw new GatewayError(
        'unknown_server',
        `unknown server "${args.server}"; registered: ${context.directory.describeNames()}`,
        { server: args.server, tool: args.tool },
      );
    }
    if (upstream.state === 'ready' && !upstream.tools().some((tool) => tool.name === args.tool)) {
      const available = upstream.tools().map((tool) => tool.name);
      throw new GatewayError(
        'unknown_tool',
        `server "${args.server}" has no tool "${args.tool}"; its tools: ${available.join(', ') || 'none'}`,
        { server: args.server, tool: args.tool },
      );
    }
    return context.trackCall(args.server, () =>
      upstream.callTool(args.tool, params, {
        signal: context.signal,
        onProgress: context.reportProgress,
        meta: context.meta,
      }),
    );
  },
};

const routePipeline: GatewayTool = {
  name: 'route_pipeline',
  description: ({ pipelines }) =>
    "Run a multi-step workflow across backends and return every step's server, tool, status, duration and output " +
    'or error. A step starts once the steps in its `after` are done, so independent steps run concurrently; a ' +
    'failing step skips the steps that depend on it unless it is optional. Scenarios:\n' +
    pipelines
      .list()
      .map((pipeline) => {
        const inputs = pipeline.inputs && pipeline.inputs.length > 0 ? describeInputs(pipeline.inputs) : [];
        const line = `- ${pipeline.name}: ${pipeline.description || '(no description)'}`;
        return inputs.length > 0 ? `${line}\n  input: ${inputs.join('; ')}` : line;
      })
      .join('\n') +
    `\n- ${CUSTOM_SCENARIO}: the steps given in \`steps\`, each {id?, server, tool, params?, after?, timeoutMs?, ` +
    'optional?}; `input` is whatever you pass.\n' +
    'Strings in step params may read the input and earlier results: {{input.NAME}}, {{steps.ID.text}}, ' +
    '{{steps.ID.isError}}, {{steps.ID.structured.key[0]}} (the step must be in the `after` chain).',
  inputSchema: RoutePipelineInput,
  outputSchema: RoutePipelineOutput,
  annotations: { title: 'Run a pipeline', openWorldHint: true },
  handler: async (raw, context) => {
    const args = RoutePipelineInput.parse(raw);
    const input = parseJsonObjectArgument(args.input, 'input');
    const pipeline = resolvePipeline(args.scenario, args.steps, context.pipelines);
    const outcome = await runPipeline(pipeline, {
      input,
      signal: context.signal,
      caller: ({ server, tool, params, signal, timeoutMs }) => {
        const upstream = context.directory.get(server);
        if (!upstream) {
          return Promise.reject(
            new GatewayError(
              'unknown_server',
              `unknown server "${server}"; registered: ${context.directory.describeNames()}`,
            ),
          );
        }
        return context.trackCall(server, () => upstream.callTool(tool, params, { signal, timeoutMs }));
      },
      onStepDone: context.reportProgress
        ? (step, done, total) =>
            context.reportProgress?.({ progress: done, total, message: `${step.id}: ${step.status}` })
        : undefined,
    });
    return {
      content: [{ type: 'text', text: formatPipelineOutcome(outcome) }],
      structuredContent: { ...outcome },
      ...(outcome.ok ? {} : { isError: outcome.steps.every((step) => step.status !== 'ok') }),
    };
  },
};

function resolvePipeline(scenario: string, rawSteps: unknown, pipelines: PipelineCatalog): Pipeline {
  if (scenario === CUSTOM_SCENARIO) {
    const steps = z.array(PipelineStepSchema).safeParse(parseJsonArgument(rawSteps, 'steps'));
    if (!steps.success) {
      throw new GatewayError(
        'invalid_input',
        `invalid "steps" for the custom scenario:\n${formatIssues(steps.error.issues)}`,
      );
    }
    if (steps.data.length === 0) {
      throw new GatewayError(
        'invalid_input',
        'the custom scenario needs "steps": [{server, tool, params}, ...]',
      );
    }
    return buildPipeline(
      CUSTOM_SCENARIO,
      { description: 'steps composed by the caller', steps: steps.data },
      { undeclaredInput: true },
    );
  }
  const pipeline = pipelines.get(scenario);
  if (!pipeline) {
    throw new GatewayError(
      'unknown_scenario',
      `unknown scenario "${scenario}"; available: ${pipelines.scenarioNames().join(', ')}`,
    );
  }
  return pipeline;
}

/** The gateway's own tools, in the order they are listed. */
export const GATEWAY_TOOLS: readonly GatewayTool[] = [
  registerServer,
  removeServer,
  listServers,
  callBackend,
  routePipeline,
  searchTools,
];

/** The message of a failed gateway tool call, as shown in its `isError` result. */
export function describeToolFailure(toolName: string, error: unknown): string {
  if (error instanceof z.ZodError) return `invalid arguments for ${toolName}:\n${formatIssues(error.issues)}`;
  return plainMessage(error);
}
