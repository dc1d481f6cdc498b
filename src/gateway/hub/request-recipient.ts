/**
 * Who a backend's own request goes to when nothing in it names its client (see `SessionRouter.routeRequest`): the
 * session whose call to that backend is in flight, on that call's stream. Over stdio the request carries nothing
 * that ties it to one call, so when calls from several sessions are in flight, only the sessions whose client can
 * answer it count; with no call in flight, the only session if there is one. Never a guess.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { CallerChannel } from '../../rpc/caller-channel.js';
import type { BackendMessage } from '../../shared/backend.js';
import { describeNeed, type requirementOf } from './client-requirements.js';
import type { SessionState } from './session-state.js';

/** A call in flight to a backend, and whose. */
export interface InFlightCall {
  readonly session: SessionState;
  readonly caller: CallerChannel;
}

/** Where a backend's request goes: a session, on the stream of its call in flight when there is one. */
export interface Recipient {
  readonly session: SessionState;
  readonly call?: InFlightCall | undefined;
}

/** What the choice is made from. */
export interface RecipientChoice {
  /** The calls to the backend in flight. */
  readonly calls: readonly InFlightCall[];
  /** Every connected session. */
  readonly sessions: ReadonlySet<SessionState>;
  /** What the client must have declared to answer the request. */
  readonly needed: ReturnType<typeof requirementOf>;
  /** Whether a session's client declared it. */
  readonly able: (session: SessionState) => boolean;
  /** The principal whose own connection sent the request: only its sessions may be chosen. */
  readonly principal?: string | undefined;
}

/** Whether a notification may reach a session (of the principal whose connection sent it). */
export type Admits = (session: SessionState) => boolean;
/** Whether a notification is wanted by a session (on the stream of its call in flight, when one). */
export type Wanted = (session: SessionState, call?: InFlightCall) => boolean;

/** Whether the session's access rights show `backend` at all. */
export function sees(session: SessionState, backend: string): boolean {
  return session.access.rights().serverVisible(backend);
}

/** Whether `session` is of `principal` (any session, for a message of no principal's connection). */
export function ofPrincipal(session: SessionState, principal: string | undefined): boolean {
  return principal === undefined || session.identity.principal === principal;
}

/** The recipient of `request` of `backend`; throws `no_session_for_request` saying why there is none. */
export function recipientOf(backend: string, request: BackendMessage, choice: RecipientChoice): Recipient {
  const { needed, able, principal } = choice;
  const calls =
    principal === undefined
      ? choice.calls
      : choice.calls.filter((call) => ofPrincipal(call.session, principal));
  const connectedSessions =
    principal === undefined
      ? choice.sessions
      : new Set([...choice.sessions].filter((session) => ofPrincipal(session, principal)));
  let candidates = calls;
  if (new Set(calls.map((call) => call.session)).size > 1)
    candidates = calls.filter((call) => able(call.session));
  const sessions = new Set(candidates.map((call) => call.session));
  if (sessions.size === 1) {
    const call = candidates.at(-1);
    if (call) return { session: call.session, call };
  }
  const connected = connectedSessions.size;
  const only = [...connectedSessions][0];
  if (calls.length === 0 && connected === 1 && only) return { session: only };
  let reason: string;
  if (sessions.size > 1) {
    reason = `calls from ${sessions.size} clients to "${backend}" are in flight and the request does not say which it belongs to`;
  } else if (calls.length > 0) {
    reason = `no client with a call in flight to "${backend}" declared ${describeNeed(needed)}`;
  } else if (connected > 1) {
    reason = `${connected} clients are connected, none with a call to "${backend}" in flight, and the request does not say which it is for`;
  } else {
    reason = 'no client is connected to answer it';
  }
  throw new GatewayError(
    'no_session_for_request',
    `the gateway cannot pass on ${request.method}: ${reason}`,
    {
      backend,
    },
  );
}
