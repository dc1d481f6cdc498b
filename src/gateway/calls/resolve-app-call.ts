/**
 * A `tools/call` by a backend tool's own name, which is how an MCP App calls the tools of its server: the app knows
 * its server, not the gateway, so it calls `refresh`, not `charts__refresh`, and its host passes the call on as it
 * is. Such a name is resolved only after every gateway tool and exposed name (which it can therefore never
 * shadow), and only when it points at one backend: the only one with a tool of that name, or the only one of those
 * with an app. Otherwise the call is refused with the candidates named, never sent to a guess.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { Backend } from '../../shared/backend.js';
import type { AppIndex, BackendTool } from '../hub/app-index.js';
import { visibleTo } from '../hub/app-meta.js';

/** The backend tool a call by its own name reaches. */
export interface AppCallTarget {
  readonly backend: Backend;
  readonly tool: string;
}

/**
 * The backend tool called `name` by its own server, or undefined when no ready backend has one. Throws a
 * `GatewayError` when the name is the tool of several backends and nothing says which (`ambiguous_tool`), or when
 * the only such tools are for the model alone (`_meta.ui.visibility: ["model"]`: an app may not call them), or
 * when the tool is withheld for a changed definition (`definition_changed`).
 * A tool the backend's filter holds back is still found, so that the call is refused by the filter, with its
 * reason, rather than sent to another backend's tool of the same name.
 */
export function resolveAppCall(name: string, apps: AppIndex): AppCallTarget | undefined {
  const named = apps.toolsNamed(name);
  if (named.length === 0) return undefined;
  const forApps = named.filter(({ tool }) => visibleTo(tool, 'app'));
  if (forApps.length === 0) {
    throw new GatewayError(
      'unknown_tool',
      `tool "${name}" of ${describeServers(named)} is for the model only (_meta.ui.visibility leaves out "app"): ` +
        'an app cannot call it; a model calls it by its exposed name',
      { tool: name, backend: named.length === 1 ? named[0]?.backend.name : undefined },
    );
  }
  const candidates = forApps.length === 1 ? forApps : forApps.filter(({ backend }) => apps.hasApp(backend));
  const [only] = candidates;
  if (candidates.length === 1 && only) {
    const refusal = apps.refusal(only.backend.name, name);
    if (refusal) throw refusal;
    return { backend: only.backend, tool: name };
  }
  const contenders = candidates.length > 1 ? candidates : forApps;
  throw new GatewayError(
    'ambiguous_tool',
    `tool "${name}" is a tool of ${describeServers(contenders)}, and the call does not say which: a call by a ` +
      "backend's own tool name (an app's) reaches a backend only when one server has the tool, or one of them has " +
      'an app; call it by its exposed name instead',
    { tool: name },
  );
}

/** `server "a"`, or `servers "a", "b"`. */
function describeServers(tools: readonly BackendTool[]): string {
  const names = tools.map(({ backend }) => `"${backend.name}"`);
  return names.length === 1 ? `server ${names.join('')}` : `servers ${names.join(', ')}`;
}
