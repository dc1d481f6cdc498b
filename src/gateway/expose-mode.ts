/**
 * What `tools/list` shows: `all`, the gateway's own tools and every backend tool (the default); `gateway`, only the
 * gateway's own tools, the backends' being found with `search_tools` and called with `call_backend`.
 */
export const EXPOSE_MODES = ['all', 'gateway'] as const;
/** One of {@link EXPOSE_MODES}. */
export type ExposeMode = (typeof EXPOSE_MODES)[number];
