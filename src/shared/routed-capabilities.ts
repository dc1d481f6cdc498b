/**
 * What the gateway can carry between its clients and its backends, declared once to every backend as the
 * capabilities of the gateway's client. The backend handshake happens once per backend, when it starts, before any
 * client may have connected: so the gateway declares what it can route, and checks per request that the client
 * whose call caused it declared the same (`gateway/hub/client-requirements.ts`).
 */
import type { ClientCapabilities } from '@modelcontextprotocol/server';

/** The MCP Apps extension (SEP-1865): tools that name a `ui://` resource a host renders. */
export const UI_EXTENSION = 'io.modelcontextprotocol/ui';

/** The content type of an MCP App's HTML (the only one the extension defines). */
export const MCP_APP_MIME_TYPE = 'text/html;profile=mcp-app';

/**
 * The extensions the gateway passes on, with their settings. Only extensions whose traffic the gateway knows how to
 * carry belong here: MCP Apps needs nothing but tool `_meta`, resource reads and tool calls, all routed (see
 * `docs/forwarding.md`). An extension that adds methods or notifications of its own (tasks, skills) would be a
 * promise the gateway cannot keep, so a client's other extensions are not declared to backends.
 */
export const PASSED_EXTENSIONS: Readonly<Record<string, { mimeTypes: string[] }>> = {
  [UI_EXTENSION]: { mimeTypes: [MCP_APP_MIME_TYPE] },
};

/**
 * What the gateway declares to every backend: everything it can pass on to a client. Elicitation in both modes
 * (form and URL), sampling with tools and with context, roots and their changes, and the extensions above.
 */
export const GATEWAY_CLIENT_CAPABILITIES: ClientCapabilities = {
  sampling: { context: {}, tools: {} },
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
  extensions: PASSED_EXTENSIONS,
};
