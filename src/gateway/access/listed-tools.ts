/**
 * A session's `tools/list`: the gateway's own tools its access rights show, then (expose mode `all`) the backend
 * tools they allow, as the backends listed them under their exposed names. The descriptions too are the session's:
 * `route_pipeline` lists only the pipelines it may run over servers it may see.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { ExposeMode } from '../expose-mode.js';
import type { LiveCatalog } from '../hub/live-catalog.js';
import { describeTool, type DescriptionContext } from '../tools/gateway-tool.js';
import { GATEWAY_TOOLS } from '../tools/index.js';
import { gatewayToolAllowed } from './gateway-tool-access.js';
import type { Rights } from './rights.js';

/** The tools a session with `rights` lists. */
export function listedTools(
  catalog: LiveCatalog,
  expose: ExposeMode,
  descriptions: DescriptionContext,
  rights: Rights,
): Tool[] {
  const seen = rights.unrestricted
    ? descriptions
    : {
        ...descriptions,
        directory: rights.directory(descriptions.directory),
        showsPipeline: (name: string) => rights.decide('pipeline', '', name).allowed,
      };
  return [
    ...GATEWAY_TOOLS.filter((tool) => gatewayToolAllowed(rights, tool.name)).map((tool) =>
      describeTool(tool, seen),
    ),
    // Backend tools as they listed them, under their exposed name: schemas, annotations and all. In `gateway`
    // mode they are left out (search_tools finds them), which keeps this list small however many backends.
    ...(expose === 'all'
      ? [...rights.tools(catalog.tools()).byName.values()].map((entry) => ({
          ...entry.item,
          name: entry.exposedName,
        }))
      : []),
  ];
}
