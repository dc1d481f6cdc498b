/**
 * What `register_server` and `restart_server` answer once a backend has (or has not) started: its name, its state
 * and the tools clients can reach, as text and as `structuredContent`.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';

import type { Backend } from '../../shared/backend.js';
import { BackendStateSchema } from '../../shared/backend-info.js';
import { namesPassing } from '../../shared/tool-filter.js';

/** The `structuredContent` of both tools. */
export const BackendStartedOutput = z.object({
  name: z.string(),
  status: BackendStateSchema,
  tools: z.array(z.string()),
});

/** `Registered server "weather" (ready) with 2 tool(s): get_alerts, get_forecast`, for `verb` "Registered". */
export function backendStarted(verb: string, backend: Backend): CallToolResult {
  const tools = namesPassing(backend.tools(), backend.toolFilter);
  return {
    content: [
      {
        type: 'text',
        text: `${verb} server "${backend.name}" (${backend.state}) with ${tools.length} tool(s): ${tools.join(', ') || 'none'}`,
      },
    ],
    structuredContent: { name: backend.name, status: backend.state, tools },
  };
}
