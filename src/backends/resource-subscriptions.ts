/**
 * The resources clients subscribed to on one backend, and who holds each subscription (a session). The backend
 * hears of a resource once however many sessions hold it: the first holder subscribes, the last one to let go (an
 * unsubscribe, or its session ending) unsubscribes; one session's unsubscribe never silences another's. A 2025
 * backend is told with `resources/subscribe` and `resources/unsubscribe`, a 2026-07-28 one through the
 * `resourceSubscriptions` of its `subscriptions/listen` stream. A new connection (a restart) is given them all again.
 */
import { GatewayError } from '../errors/gateway-error.js';
import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import type { BackendCallOptions } from '../shared/backend.js';
import type { BackendConnection } from './connection/connection.js';
import type { Exchanger } from './exchange/tool-call.js';

/** One backend's resource subscriptions. */
export class ResourceSubscriptions {
  private readonly holders = new Map<string, Set<object>>();

  /**
   * @param send the backend's usual path for a request (readiness, timeout, cancellation, errors)
   * @param connection the backend's current connection
   * @param perPrincipal the backend connects per principal: a subscription held on one connection would tell
   *   every holder of what one principal sees, so none is taken
   */
  constructor(
    private readonly backend: string,
    private readonly send: Exchanger,
    private readonly connection: () => BackendConnection | undefined,
    private readonly logger: Logger,
    private readonly perPrincipal = false,
  ) {}

  /** The URIs someone holds, in the order first subscribed. */
  get uris(): string[] {
    return [...this.holders.keys()];
  }

  /** `holder` subscribes to `uri`; the backend is asked when nobody held it yet (and a refusal undoes it). */
  async subscribe(uri: string, holder: object, options: BackendCallOptions = {}): Promise<void> {
    if (this.perPrincipal) {
      throw new GatewayError(
        'invalid_input',
        `backend "${this.backend}" connects per principal (oauth.perPrincipal): the gateway takes no resource ` +
          `subscriptions for it; read ${uri} again to see changes`,
        { backend: this.backend },
      );
    }
    const held = this.holders.get(uri);
    if (held) {
      held.add(holder);
      return;
    }
    this.holders.set(uri, new Set([holder]));
    try {
      await this.tell('resources/subscribe', uri, options);
    } catch (error) {
      this.holders.delete(uri);
      throw error;
    }
  }

  /** `holder` lets go of `uri`; the backend is told when it was the last. */
  async unsubscribe(uri: string, holder: object, options: BackendCallOptions = {}): Promise<void> {
    const held = this.holders.get(uri);
    if (!held?.delete(holder) || held.size > 0) return;
    this.holders.delete(uri);
    await this.tell('resources/unsubscribe', uri, options);
  }

  /** `holder` is gone (its session ended): what only it held is unsubscribed, in the background. */
  release(holder: object): void {
    for (const [uri, held] of this.holders) {
      if (!held.has(holder)) continue;
      this.unsubscribe(uri, holder).catch((error: unknown) => {
        this.logger.debug('a resource subscription of a closed session could not be ended', {
          uri,
          error: plainMessage(error),
        });
      });
    }
  }

  /**
   * Gives a new connection every subscription held, before the backend is announced ready (a client that restarted
   * it finds them in place); one the backend refuses is logged, and kept for the next connection.
   */
  async restore(connection: BackendConnection): Promise<void> {
    const uris = this.uris;
    if (uris.length === 0) return;
    const results = connection.changes
      ? [
          await connection.changes.listen(uris).then(
            () => undefined,
            (error: unknown) => error,
          ),
        ]
      : await Promise.all(
          uris.map((uri) =>
            this.request('resources/subscribe', uri, {}).then(
              () => undefined,
              (error: unknown) => error,
            ),
          ),
        );
    for (const error of results) {
      if (error === undefined) continue;
      this.logger.warn('a resource subscription could not be restored after the backend started again', {
        error: plainMessage(error),
      });
    }
  }

  private async tell(
    method: 'resources/subscribe' | 'resources/unsubscribe',
    uri: string,
    options: BackendCallOptions,
  ): Promise<void> {
    const changes = this.connection()?.changes;
    if (changes) await changes.listen(this.uris);
    else await this.request(method, uri, options);
  }

  private request(method: string, uri: string, options: BackendCallOptions): Promise<unknown> {
    return this.send({ method, params: { uri } }, (result) => result, options, {
      label: `${this.backend} ${method}`,
    });
  }
}
