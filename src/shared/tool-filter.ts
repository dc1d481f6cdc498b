/**
 * A backend's `tools` filter (`{"allow": [...]}` or `{"deny": [...]}`): which of its tools clients may see and call.
 * The catalog lists only those, and every call (by exposed name, `call_backend`, a pipeline step) is held to it.
 */

/** The filter as configured; names as the backend gives them. */
export interface ToolFilter {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

/** Whether the backend tool `name` passes `filter` (no filter: every tool). */
export function toolPasses(name: string, filter: ToolFilter | undefined): boolean {
  if (filter?.allow) return filter.allow.includes(name);
  if (filter?.deny) return !filter.deny.includes(name);
  return true;
}

/** The names of the `tools` that pass `filter`, in their order. */
export function namesPassing(
  tools: readonly { readonly name: string }[],
  filter: ToolFilter | undefined,
): string[] {
  return tools.map((tool) => tool.name).filter((name) => toolPasses(name, filter));
}

/** `allow list (search, fetch)` or `deny list (delete_all)`: how an error names the filter that held a tool back. */
export function describeFilter(filter: ToolFilter | undefined): string {
  if (filter?.allow) return `allow list (${filter.allow.join(', ') || 'empty'})`;
  if (filter?.deny) return `deny list (${filter.deny.join(', ')})`;
  return 'no filter';
}
