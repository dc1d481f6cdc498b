/**
 * Which replica a 2026-07-28 `requestState` minted by the gateway belongs to. A call waiting for the client's
 * answers (elicitation, sampling) runs on one replica; the state it hands out starts with that replica's id, so that
 * the replica a retry lands on can pass it to the one where the call waits. The id is outside the state's HMAC: a
 * changed one only sends the retry to a replica whose key refuses it.
 */

/** Every state the gateway mints starts with this; its backends' states never do. */
export const GATEWAY_STATE_PREFIX = 'gw.';

const OWNED_STATE = /^gw\.([A-Za-z0-9-]{1,63}):/;

/** The prefix of the states minted by replica `replicaId`, or by a gateway alone (none). */
export function gatewayStatePrefix(replicaId: string | undefined): string {
  return replicaId === undefined ? GATEWAY_STATE_PREFIX : `${GATEWAY_STATE_PREFIX}${replicaId}:`;
}

/** The replica a state was minted by, or undefined for a state that names none. */
export function ownerOfRequestState(state: string): string | undefined {
  return OWNED_STATE.exec(state)?.[1];
}
