/**
 * The gateway's own tools, in the order `tools/list` gives them.
 */
import { callBackend } from './call-backend.js';
import type { GatewayTool } from './gateway-tool.js';
import { listServers } from './list-servers.js';
import { registerServer } from './register-server.js';
import { removeServer } from './remove-server.js';
import { restartServer } from './restart-server.js';
import { routePipeline } from './route-pipeline.js';
import { searchTools } from './search-tools.js';

/** Every gateway tool, in listing order. */
export const GATEWAY_TOOLS: readonly GatewayTool[] = [
  registerServer,
  removeServer,
  restartServer,
  listServers,
  callBackend,
  routePipeline,
  searchTools,
];

/** Their names: backends may not take them. */
export const GATEWAY_TOOL_NAMES: ReadonlySet<string> = new Set(GATEWAY_TOOLS.map((tool) => tool.name));
