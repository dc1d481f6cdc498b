/**
 * The attribute names of the gateway's spans and metrics. OpenTelemetry's semantic conventions are followed where
 * they name the thing (`mcp.method.name`, `gen_ai.tool.name`, `gen_ai.prompt.name`, `error.type`,
 * `rpc.jsonrpc.error_code`); the gateway's own are under `mcp.gateway.*`. None carries a secret: no argument value,
 * no token (a principal is a token's name), no environment value, no session id (an HTTP session id lets whoever
 * holds it use the session).
 */
export const ATTR_METHOD = 'mcp.method.name';
/** The backend (the gateway's name for it). */
export const ATTR_SERVER = 'mcp.server.name';
export const ATTR_TOOL = 'gen_ai.tool.name';
export const ATTR_PROMPT = 'gen_ai.prompt.name';
/** How a call ended: `CallOutcome` (`ok`, `tool-error`, `error`, `refused`, `cancelled`, `timeout`). */
export const ATTR_OUTCOME = 'mcp.gateway.outcome';
/** How a call came to the backend: `CallRoute` (`tool`, `call_backend`, `pipeline`, `request`). */
export const ATTR_ROUTE = 'mcp.gateway.route';
export const ATTR_PRINCIPAL = 'mcp.gateway.principal';
/** `stdio`, `http-legacy`, `http-modern`. */
export const ATTR_FRONT_DOOR = 'mcp.gateway.front_door';
export const ATTR_STEP = 'mcp.gateway.pipeline.step';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_ERROR_CODE = 'rpc.jsonrpc.error_code';
/** A backend's state (`BackendState`). */
export const ATTR_BACKEND_STATE = 'mcp.gateway.backend.state';
/** A change's action (`ChangeAction`). */
export const ATTR_ACTION = 'mcp.gateway.change.action';
