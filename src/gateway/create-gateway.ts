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
import type { UpstreamDirectory } from './upstream.js';

/** What every gateway instance shares. */
export interface GatewayDependencies {
  readonly directory: UpstreamDirectory;
  readonly pipelines: PipelineCatalog;
  /** Folder that relative paths given to `register_server` resolve against. */
  readonly baseDir: string;
  readonly logger: Logger;
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
  const server = new Server(
    { name: GATEWAY_NAME, version: GATEWAY_VERSION },
    { capabilities: { tools: { listChanged: true } }, instructions: INSTRUCTIONS },
  );
  const toolsByName = new Map(GATEWAY_TOOLS.map((tool) => [tool.name, tool]));

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: GATEWAY_TOOLS.map((tool) => describeTool(tool, dependencies)),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name } = request.params;
    const tool = toolsByName.get(name);
    if (!tool) {
      throw new ProtocolError(
        ErrorCode.InvalidParams,
        `Unknown tool "${name}"; available: ${[...toolsByName.keys()].join(', ')}`,
      );
    }
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
    try {
      return await tool.handler(request.params.arguments ?? {}, {
        directory: dependencies.directory,
        pipelines: dependencies.pipelines,
        baseDir: dependencies.baseDir,
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
    close: () => server.close(),
  };
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
