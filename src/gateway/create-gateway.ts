/**
 * Builds the MCP server one client connection talks to. It knows nothing of transports: stdio calls this once,
 * HTTP once per session, and every instance shares the same backends.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  type CallToolResult,
  type Progress,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { ProtocolError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PipelineCatalog } from '../pipelines/build-pipeline.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../version.js';
import { describeToolFailure, GATEWAY_TOOLS, type GatewayTool } from './gateway-tools.js';
import { createRegistrationPolicy, type RegistrationPolicy } from './registration-policy.js';
import { callExposedTool } from './call-exposed-tool.js';
import { registerForwardingHandlers } from './forwarding-handlers.js';
import { GatewayHub } from './gateway-hub.js';
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
}

/** One connection's MCP server, and how to close it. */
export interface GatewayInstance {
  readonly server: Server;
  close(): Promise<void>;
}

const INSTRUCTIONS =
  'This gateway fronts several MCP servers. list_servers shows them and their tools; call_backend calls a tool of ' +
  'one of them; register_server and remove_server change the set; route_pipeline runs multi-step workflows.';

/** Creates a gateway MCP server over the shared backends. */
export function createGateway(dependencies: GatewayDependencies): GatewayInstance {
  const toolsByName = new Map(GATEWAY_TOOLS.map((tool) => [tool.name, tool]));
  const ownHub = dependencies.hub === undefined;
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
      instructions: INSTRUCTIONS,
    },
  );
  const session = hub.attach(server, advertised);
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
      // Backend tools as they listed them, under their exposed name: schemas, annotations and all.
      ...[...hub.tools().byName.values()].map((entry) => ({ ...entry.item, name: entry.exposedName })),
    ],
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name } = request.params;
    const tool = toolsByName.get(name);
    const meta = request.params._meta;
    const progressToken = meta?.progressToken;
    const reportProgress =
      progressToken === undefined
        ? undefined
        : (progress: Progress): void => {
            extra
              .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } })
              .catch((error: unknown) =>
                dependencies.logger.debug('could not relay progress', { error: (error as Error).message }),
              );
          };
    if (!tool) {
      const exposed = hub.tools().byName.get(name);
      if (!exposed) {
        throw new ProtocolError(
          ErrorCode.InvalidParams,
          `Unknown tool "${name}"; available: ${[...toolsByName.keys(), ...hub.tools().byName.keys()].join(', ')}`,
        );
      }
      return callExposedTool(exposed, request.params.arguments ?? {}, {
        hub,
        session,
        extra,
        reportProgress,
        meta,
        logger: dependencies.logger,
      });
    }
    try {
      return await tool.handler(request.params.arguments ?? {}, {
        directory: dependencies.directory,
        pipelines: dependencies.pipelines,
        baseDir: dependencies.baseDir,
        registration,
        trackCall: (server, run) => hub.track(server, session, extra, run),
        nameConflicts: () => hub.tools().conflicts,
        signal: extra.signal,
        reportProgress,
        meta,
      });
    } catch (error) {
      const message = describeToolFailure(name, error);
      dependencies.logger.debug('tool call failed', { tool: name, error: message });
      return { content: [{ type: 'text', text: message }], isError: true };
    }
  });

  return {
    server,
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
