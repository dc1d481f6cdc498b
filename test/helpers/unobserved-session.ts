/**
 * The observation fields of a hand-made `SessionState`: a local client that nobody watches.
 */
import { ObservationHub } from '../../src/gateway/observation-hub.js';
import type { SessionState } from '../../src/gateway/hub/session-state.js';
import { silentLogger } from '../../src/logger.js';

/** `identity`, `client` and `observation` of a session named `name`. */
export function unobservedSession(name: string): Pick<SessionState, 'identity' | 'client' | 'observation'> {
  return {
    identity: { principal: 'local', frontDoor: 'stdio', sessionId: name },
    client: () => undefined,
    observation: new ObservationHub(silentLogger),
  };
}
