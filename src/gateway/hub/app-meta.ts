/**
 * What a tool's `_meta` says for MCP Apps (SEP-1865, extension `io.modelcontextprotocol/ui`): the `ui://` resource
 * a host renders for it (`_meta.ui.resourceUri`, or the deprecated flat `_meta["ui/resourceUri"]`), and who may call
 * it (`_meta.ui.visibility`: `model`, `app`, or both, the default).
 */
import type { Tool } from '@modelcontextprotocol/server';

/** Who may call a tool: the model, the app (the UI a host renders), or both. */
export type Audience = 'model' | 'app';

/** The scheme of the resources an MCP App is made of. */
const UI_SCHEME = 'ui://';

function uiMetaOf(tool: Tool): Record<string, unknown> | undefined {
  const ui = tool._meta?.ui;
  return typeof ui === 'object' && ui !== null && !Array.isArray(ui)
    ? (ui as Record<string, unknown>)
    : undefined;
}

/** The `ui://` resource the tool's app is, or undefined for a tool without one. */
export function uiResourceOf(tool: Tool): string | undefined {
  const uri = uiMetaOf(tool)?.resourceUri ?? tool._meta?.['ui/resourceUri'];
  return typeof uri === 'string' && uri.startsWith(UI_SCHEME) ? uri : undefined;
}

/**
 * Whether `audience` may call the tool. A tool that says nothing (or nothing the extension defines) is for both, as
 * the extension's default is.
 */
export function visibleTo(tool: Tool, audience: Audience): boolean {
  const visibility = uiMetaOf(tool)?.visibility;
  if (!Array.isArray(visibility)) return true;
  return visibility.includes(audience);
}

/** Whether `uri` names an MCP App's resource. */
export function isUiResource(uri: string): boolean {
  return uri.startsWith(UI_SCHEME);
}
