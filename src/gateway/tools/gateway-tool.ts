/**
 * What a gateway tool is (its schemas, description, annotations and handler) and what its handler can reach while
 * it runs. Each tool lives in its own file in this folder; `index.ts` lists them.
 */
import type { CallToolResult, Progress, Tool, ToolAnnotations } from '@modelcontextprotocol/server';
import { z } from 'zod';

import type { GatewayError } from '../../errors/gateway-error.js';
import { plainMessage } from '../../errors/protocol-error.js';
import type { PipelineCatalog } from '../../pipelines/pipeline-catalog.js';
import type { Backend, BackendCallOptions, BackendDirectory } from '../../shared/backend.js';
import type { ConfigStatus } from '../../shared/config-status.js';
import type { TraceSpan } from '../../shared/observation.js';
import type { RegistrationPolicy } from '../../shared/registration-policy.js';
import { formatIssues } from '../../config/format-issues.js';
import type { ForwardPolicy } from '../calls/forward-tool-call.js';
import type { NameConflict } from '../hub/catalog.js';
import type { PendingChange } from '../hub/pin-gate.js';
import type { ToolSearchIndex } from '../search/tool-search-index.js';

/** What a tool's description may depend on. */
export interface DescriptionContext {
  /** The named pipelines, which `route_pipeline` lists (those whose backends are all registered). */
  readonly pipelines: PipelineCatalog;
  readonly directory: BackendDirectory;
  /** The per-call timeout of a backend whose config sets none, in milliseconds. */
  readonly defaultTimeoutMs: number;
}

/** What a tool handler can reach while it runs. */
export interface ToolContext extends DescriptionContext {
  /** Folder that relative paths in `register_server` resolve against. */
  readonly baseDir: string;
  /** Decides whether `register_server` may start what it is asked to, before anything starts. */
  readonly registration: RegistrationPolicy;
  /**
   * Calls a backend tool as part of this request: what the backend asks meanwhile (sampling, elicitation, roots)
   * and its log messages reach the caller; failures come back as `policy` says.
   */
  readonly forward: (
    backend: Backend,
    tool: string,
    args: Record<string, unknown>,
    options: BackendCallOptions,
    policy: ForwardPolicy,
    /** The span the backend request is a child of, in place of the client request's (a pipeline step's). */
    parent?: TraceSpan,
  ) => Promise<CallToolResult>;
  /** The config file in force, when the gateway runs from one. */
  readonly configStatus: () => ConfigStatus | undefined;
  /** Backend tools exposed under another name than they asked for, and why. */
  readonly nameConflicts: () => readonly NameConflict[];
  /** The search index over the exposed backend tools, as of now (rebuilt only after the tools changed). */
  readonly searchIndex: () => ToolSearchIndex;
  /**
   * The refusal of a call to `tool` of `server` when that tool is withheld for a changed definition (pinning
   * `enforce`): `call_backend` and pipeline steps are refused as a call by its exposed name is.
   */
  readonly withheldTool: (server: string, tool: string) => GatewayError | undefined;
  /** The changes of `server`'s definitions waiting for approval (see src/pins/). */
  readonly pinChanges: (server: string) => readonly PendingChange[];
  /** Aborted when the caller cancels the call. */
  readonly signal: AbortSignal;
  /** Sends a progress notification to the caller; present only when the caller asked for progress. */
  readonly reportProgress: ((progress: Progress) => void) | undefined;
  /** `_meta` of the caller's request. */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** The client request's span, when a tracer is set (see `GatewayObservation.setTracer`). */
  readonly trace: TraceSpan | undefined;
}

/** One of the gateway's own tools. */
export interface GatewayTool {
  readonly name: string;
  /** A function because `route_pipeline` lists the pipelines available at the time of listing. */
  readonly description: (context: DescriptionContext) => string;
  readonly inputSchema: z.ZodObject;
  readonly outputSchema?: z.ZodObject;
  readonly annotations: ToolAnnotations;
  /** Throws for a failure, which the caller gets as an `isError` result (see {@link describeToolFailure}). */
  readonly handler: (args: Record<string, unknown>, context: ToolContext) => Promise<CallToolResult>;
}

/** The message of a failed gateway tool call, as shown in its `isError` result. */
export function describeToolFailure(toolName: string, error: unknown): string {
  if (error instanceof z.ZodError) return `invalid arguments for ${toolName}:\n${formatIssues(error.issues)}`;
  return plainMessage(error);
}

const jsonSchemaCache = new WeakMap<z.ZodObject, Tool['inputSchema']>();

function toJsonSchema(schema: z.ZodObject): Tool['inputSchema'] {
  let json = jsonSchemaCache.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema) as Tool['inputSchema'];
    jsonSchemaCache.set(schema, json);
  }
  return json;
}

/** The tool as `tools/list` shows it: its schemas as JSON Schema (computed once per schema). */
export function describeTool(tool: GatewayTool, context: DescriptionContext): Tool {
  return {
    name: tool.name,
    description: tool.description(context),
    inputSchema: toJsonSchema(tool.inputSchema),
    ...(tool.outputSchema ? { outputSchema: toJsonSchema(tool.outputSchema) } : {}),
    annotations: tool.annotations,
  };
}
