/**
 * Which session each URL-mode elicitation belongs to, so that the backend's `notifications/elicitation/complete`
 * reaches the client that was asked, and no other. The notification comes after the request (or after the
 * URLElicitationRequired error) that started the elicitation, often once the call that caused it has ended, so the
 * call in flight cannot say where it goes: the elicitation's id does.
 */
import { urlElicitationIds } from '../../errors/to-wire.js';
import type { BackendMessage } from '../../shared/backend.js';
import type { SessionState } from './session-state.js';

/**
 * Elicitations remembered at most: one never completed (the user walked away) stays until its session closes, so
 * a session that leaves many open pushes out its oldest rather than growing the map without end.
 */
const MAX_OPEN = 1_000;

/** URL-mode elicitations not yet completed, by backend and id. */
export class UrlElicitations {
  /** Keyed by backend and id: an id is unique only among one server's elicitations. */
  private readonly owners = new Map<string, SessionState>();

  /** Records that `session` is sent the URL-mode `elicitation/create` request of `backend`. */
  rememberRequest(backend: string, request: BackendMessage, session: SessionState): void {
    const id = request.params?.elicitationId;
    if (typeof id === 'string') this.remember(backend, id, session);
  }

  /**
   * Records the elicitations a failed request of `session` asks it to complete: a backend that needs the user to
   * visit a URL first may say so in its error (URLElicitationRequired, -32042) rather than in a request.
   */
  rememberRefusal(backend: string, error: unknown, session: SessionState): void {
    for (const id of urlElicitationIds(error)) this.remember(backend, id, session);
  }

  /**
   * The session asked to complete the elicitation that `notification` (`notifications/elicitation/complete`) says
   * is complete, forgotten from now on; undefined for an id never seen.
   */
  take(backend: string, notification: BackendMessage): SessionState | undefined {
    const id = notification.params?.elicitationId;
    if (typeof id !== 'string') return undefined;
    const key = keyOf(backend, id);
    const owner = this.owners.get(key);
    this.owners.delete(key);
    return owner;
  }

  /** Forgets the elicitations of a session that closed. */
  forget(session: SessionState): void {
    for (const [key, owner] of this.owners) if (owner === session) this.owners.delete(key);
  }

  private remember(backend: string, id: string, session: SessionState): void {
    const key = keyOf(backend, id);
    this.owners.delete(key);
    this.owners.set(key, session);
    if (this.owners.size > MAX_OPEN) {
      const oldest = this.owners.keys().next();
      if (oldest.done !== true) this.owners.delete(oldest.value);
    }
  }
}

function keyOf(backend: string, id: string): string {
  return JSON.stringify([backend, id]);
}
