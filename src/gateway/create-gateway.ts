/**
 * Builds the MCP server one client connection talks to. It knows nothing of transports: stdio calls this once,
 * HTTP once per session, and every instance shares the same backends.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import type { ExposeMode } from './expose-mode.js';
import { plainMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PipelineCatalog } from '../pipelines/build-pipeline.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../version.js';
import { GATEWAY_TOOLS, type GatewayTool } from './gateway-tools.js';
import { createRegistrationPolicy, type RegistrationPolicy } from './registration-policy.js';
import { registerForwardingHandlers } from './forwarding-handlers.js';
import { callerOf, GatewayHub, PassThroughResult } from './gateway-hub.js';
import { dispatchToolCall, type ToolCallScope } from './tool-call-dispatch.js';
import { ToolCallShortcut } from './tool-call-shortcut.js';
import type { UpstreamDirectory } from './upstream.js';

/** What every gateway instance shares. */
export interface GatewayDependencies {
  readonly directory: UpstreamDirectory;
  readonly pipelines: PipelineCatalog;
  /** Folder that relative paths given to `register_server` resolve against. */
  readonly baseDir: string;
  readonly logger: Logger;
  /**
   * Who may start what through `register_server`. Default: anything, as for a local stdio client; the composition
   * root passes a stricter one for HTTP.
   */
  readonly registration?: RegistrationPolicy | undefined;
  /**
   * What all connections share (catalog, sessions, calls in flight). One per directory: the composition root
   * passes it to every instance; an instance given none makes its own.
   */
  readonly hub?: GatewayHub | undefined;
  /**
   * What `tools/list` shows: `all` (default), the gateway's tools and every backend tool; `gateway`, only the
   * gateway's own, backend tools being found with `search_tools` and called with `call_backend` (or by their
   * exposed names, which stay callable though not listed).
   */
  readonly expose?: ExposeMode | undefined;
}

/** One connection's MCP server, and how to connect and close it. */
export interface GatewayInstance {
  readonly server: Server;
  /**
   * Connects the server to a client transport, with `tools/call` served ahead of the Server (see
   * `tool-call-shortcut.ts`). Use this rather than `server.connect`.
   */
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

function instructions(expose: ExposeMode): string {
  const common =
    'This gateway fronts several MCP servers. list_servers shows them and their tools; search_tools finds the tools ' +
    'that do what you need (with their input schemas); call_backend calls a tool of one of them; register_server ' +
    'and remove_server change the set; route_pipeline runs multi-step workflows.';
  return expose === 'gateway'
    ? `${common} The backends' tools are not listed here: use search_tools to find one by what it does, then ` +
        'call it with call_backend {"server", "tool", "params"}.'
    : common;
}

/** Creates a gateway MCP server over the shared backends. */
export function createGateway(dependencies: GatewayDependencies): GatewayInstance {
  const toolsByName = new Map(GATEWAY_TOOLS.map((tool) => [tool.name, tool]));
  const ownHub = dependencies.hub === undefined;
  const expose = dependencies.expose ?? 'all';
  const hub = dependencies.hub ?? createHub(dependencies.directory, dependencies.logger);
  // Capabilities must be declared before connecting: a session advertises what its backends can do when it opens.
  const advertised = hub.currentCapabilities();
  const server = new Server(
    { name: GATEWAY_NAME, version: GATEWAY_VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        ...(advertised.resources ? { resources: { subscribe: true, listChanged: true } } : {}),
        ...(advertised.prompts ? { prompts: { listChanged: true } } : {}),
        ...(advertised.logging ? { logging: {} } : {}),
        ...(advertised.completions ? { completions: {} } : {}),
      },
      instructions: instructions(expose),
    },
  );
  const session = hub.attach(server, advertised, { listsBackendTools: expose === 'all' });
  // What the transport could not take from the client (a line that is not JSON-RPC, a bad message) is the
  // client's problem, but worth saying: the client gets no answer to it.
  server.onerror = (error) =>
    dependencies.logger.warn('could not read a message from the client', { error: plainMessage(error) });
  registerForwardingHandlers(server, session, hub, dependencies.logger);
  const registration =
    dependencies.registration ?? createRegistrationPolicy({ enabled: true, logger: dependencies.logger });
  // The description of route_pipeline lists the pipelines: a change to them is a change to the tool list.
  const onPipelinesChanged = (): void => {
    server
      .sendToolListChanged()
      .catch((error: unknown) =>
        dependencies.logger.debug('could not send tools/list_changed', { error: (error as Error).message }),
      );
  };
  dependencies.pipelines.on('changed', onPipelinesChanged);

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      ...GATEWAY_TOOLS.map((tool) => describeTool(tool, dependencies)),
      // Backend tools as they listed them, under their exposed name: schemas, annotations and all. In `gateway` mode
      // they are left out (search_tools finds them), which keeps this list small however many backends there are.
      ...(expose === 'all'
        ? [...hub.tools().byName.values()].map((entry) => ({ ...entry.item, name: entry.exposedName }))
        : []),
    ],
  }));

  const scope: ToolCallScope = {
    toolsByName,
    hub,
    session,
    toolContext: {
      directory: dependencies.directory,
      pipelines: dependencies.pipelines,
      baseDir: dependencies.baseDir,
      registration,
      nameConflicts: () => hub.tools().conflicts,
      searchIndex: () => hub.searchIndex(),
    },
    logger: dependencies.logger,
  };
  // The Server answers malformed calls itself (its validation error); the well-formed ones the shortcut leaves to it
  // (an id already in flight, or a server connected with `server.connect` directly) end up in the same place.
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    dispatchToolCall(request.params, callerOf(extra), scope),
  );

  return {
    server,
    connect: (transport) =>
      server.connect(
        new ToolCallShortcut(transport, {
          call: (params, caller) => dispatchToolCall(params, caller, scope),
          request: (request, options) => server.request(request, PassThroughResult, options),
          logger: dependencies.logger,
        }),
      ),
    close: async () => {
      dependencies.pipelines.off('changed', onPipelinesChanged);
      hub.detach(session);
      if (ownHub) hub.close();
      await server.close();
    },
  };
}

/** A hub for the gateway's own tool names. */
export function createHub(directory: UpstreamDirectory, logger: Logger): GatewayHub {
  return new GatewayHub(directory, logger, new Set(GATEWAY_TOOLS.map((tool) => tool.name)));
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

function describeTool(tool: GatewayTool, dependencies: GatewayDependencies): Tool {
  return {
    name: tool.name,
    description: tool.description(dependencies),
    inputSchema: toJsonSchema(tool.inputSchema),
    ...(tool.outputSchema ? { outputSchema: toJsonSchema(tool.outputSchema) } : {}),
    annotations: tool.annotations,
  };
}
