/** The gateway's own tools, in the order `tools/list` gives them: the contract the tests hold it to. */
export const GATEWAY_TOOL_NAMES: readonly string[] = [
  'register_server',
  'remove_server',
  'restart_server',
  'list_servers',
  'call_backend',
  'route_pipeline',
  'search_tools',
];
