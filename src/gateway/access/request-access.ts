/**
 * The access check of a request forwarded to a backend other than a tool call: `prompts/get` and a completion of a
 * prompt's argument need the prompt, `resources/read`, `resources/subscribe`, `resources/unsubscribe` and a
 * completion of a resource template's argument need the resource (its URI, or the template's). Forwarded names
 * are the backend's own (a prompt's, not its exposed name).
 */
import type { GatewayError } from '../../errors/gateway-error.js';
import type { SessionAccess } from './access-policy.js';
import type { AccessKind } from './rights.js';

/** A forwarded request, as the check reads it. */
export interface AccessedRequest {
  readonly method: string;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

/** The refusal of `request` to `server` for the session, or undefined when it may be sent. */
export function requestRefusal(
  access: SessionAccess,
  server: string,
  request: AccessedRequest,
): GatewayError | undefined {
  const rights = access.rights();
  if (rights.unrestricted) return undefined;
  const item = itemOf(request);
  return item && rights.refusal(access.principal, item.kind, server, item.name);
}

function itemOf({ method, params = {} }: AccessedRequest): { kind: AccessKind; name: string } | undefined {
  switch (method) {
    case 'prompts/get':
      return { kind: 'prompt', name: String(params.name) };
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return { kind: 'resource', name: String(params.uri) };
    case 'completion/complete': {
      const ref = (params.ref ?? {}) as { type?: unknown; name?: unknown; uri?: unknown };
      return ref.type === 'ref/prompt'
        ? { kind: 'prompt', name: String(ref.name) }
        : { kind: 'resource', name: String(ref.uri) };
    }
    default:
      return undefined;
  }
}
