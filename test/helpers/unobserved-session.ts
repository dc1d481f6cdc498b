/**
 * The observation fields of a hand-made `SessionState`: a local client that nobody watches, with every right.
 */
import { AccessPolicy } from '../../src/gateway/access/access-policy.js';
import { ObservationHub } from '../../src/gateway/observation-hub.js';
import type { SessionState } from '../../src/gateway/hub/session-state.js';
import { silentLogger } from '../../src/logger.js';

/** `identity`, `access`, `client` and `observation` of a session named `name`. */
export function unobservedSession(
  name: string,
): Pick<SessionState, 'identity' | 'access' | 'client' | 'observation'> {
  const identity = { principal: 'local', frontDoor: 'stdio', sessionId: name } as const;
  return {
    identity,
    access: new AccessPolicy(undefined).forSession(identity),
    client: () => undefined,
    observation: new ObservationHub(silentLogger),
  };
}
