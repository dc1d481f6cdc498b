/**
 * Which of the gateway's own tools a session may see and call. The registration tools must be granted
 * (`gatewayTools`); `route_pipeline` is there when some pipeline may run; the others (`list_servers`,
 * `search_tools`, `call_backend`) always are: they show and reach only what the session's rights allow.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { Rights } from './rights.js';

/** The gateway tools a rule must grant by name (as the config's `gatewayTools` lists them). */
const GUARDED: ReadonlySet<string> = new Set(['register_server', 'remove_server', 'restart_server']);

/** Whether the gateway tool `name` is listed for these rights. */
export function gatewayToolAllowed(rights: Rights, name: string): boolean {
  if (rights.unrestricted) return true;
  if (GUARDED.has(name)) return rights.decide('gatewayTool', '', name).allowed;
  return name !== 'route_pipeline' || rights.anyPipeline();
}

/** The refusal of a call of the gateway tool `name` by `principal`, or undefined when it may call it. */
export function gatewayToolRefusal(
  rights: Rights,
  principal: string,
  name: string,
): GatewayError | undefined {
  if (gatewayToolAllowed(rights, name)) return undefined;
  if (GUARDED.has(name)) return rights.refusal(principal, 'gatewayTool', '', name);
  return new GatewayError(
    'access_denied',
    `access denied: principal "${principal}" may run no pipeline: no access rule that applies grants ` +
      '"pipelines" (or one denies them all); an operator grants it in the config\'s access section',
    { data: { access: 'denied' } },
  );
}
