/**
 * The `subscriptions/listen` stream of a 2026-07-28 backend: the only way such a backend announces changes. It is
 * opened for the lists the backend says change, and the resources sessions subscribed to (`resourceSubscriptions`).
 * A change of those resources opens a new stream before the old one is closed, so no update falls between them; a
 * stream the backend drops (not one it ends on purpose) is opened again once.
 */
import { SUBSCRIPTION_ID_META_KEY, type Client } from '@modelcontextprotocol/client';

import { GatewayError } from '../../errors/gateway-error.js';
import { plainMessage } from '../../errors/protocol-error.js';
import type { Logger } from '../../logger.js';

/**
 * A notification's parameters without the id of the listen stream it came on: that id belongs to the hop between
 * the gateway and the backend, never to the client it is passed on to.
 */
export function withoutSubscriptionId(
  params: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (meta?.[SUBSCRIPTION_ID_META_KEY] === undefined) return params;
  const { [SUBSCRIPTION_ID_META_KEY]: _id, ...rest } = meta;
  const { _meta: _all, ...withoutMeta } = params ?? {};
  return Object.keys(rest).length > 0 ? { ...withoutMeta, _meta: rest } : withoutMeta;
}

type Subscription = Awaited<ReturnType<Client['listen']>>;
type Filter = Parameters<Client['listen']>[0];

/** One backend connection's listen stream. */
export class ChangeStream {
  private current: Subscription | undefined;
  private resources: readonly string[] = [];
  private closed = false;
  /** A dropped stream was opened again since the last {@link listen}: the next drop is left as it is. */
  private reopened = false;
  /** Opens and closes run one after another, in the order asked. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly backend: string,
    private readonly client: Client,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Listens for the backend's list changes and updates of `resources`; resolves once the backend acknowledged it.
   * Rejects with a GatewayError when the backend refuses, or cannot watch one of `resources`.
   */
  listen(resources: readonly string[]): Promise<void> {
    this.reopened = false;
    return this.enqueue(resources);
  }

  private enqueue(resources: readonly string[]): Promise<void> {
    const next = this.queue.then(() => this.open(resources));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Closes the stream for good (the connection ends). */
  async close(): Promise<void> {
    this.closed = true;
    const current = this.current;
    this.current = undefined;
    // A stream of a connection that is gone cannot be told: there is nothing left to close then.
    await current?.close().catch(() => undefined);
  }

  private async open(resources: readonly string[]): Promise<void> {
    if (this.closed) return;
    const filter = this.filterFor(resources);
    const previous = this.current;
    if (Object.keys(filter).length === 0) {
      this.current = undefined;
      this.resources = resources;
      await previous?.close();
      return;
    }
    let next: Subscription;
    try {
      next = await this.client.listen(filter, { timeout: this.timeoutMs });
    } catch (error) {
      throw new GatewayError(
        'backend_error',
        `backend "${this.backend}" refused subscriptions/listen: ${plainMessage(error)}`,
        { backend: this.backend, cause: error },
      );
    }
    const refused = resources.filter((uri) => !next.honoredFilter.resourceSubscriptions?.includes(uri));
    if (refused.length > 0) {
      await next.close();
      throw new GatewayError(
        'backend_error',
        `backend "${this.backend}" does not watch resource ${refused.join(', ')} for changes ` +
          '(it did not honour resourceSubscriptions on subscriptions/listen)',
        { backend: this.backend },
      );
    }
    this.current = next;
    this.resources = resources;
    void next.closed.then((how) => this.onClosed(next, how));
    await previous?.close();
  }

  /** What to ask for: the lists the backend says change, and `resources` when it can watch them. */
  private filterFor(resources: readonly string[]): Filter {
    const capabilities = this.client.getServerCapabilities();
    if (resources.length > 0 && capabilities?.resources?.subscribe !== true) {
      throw new GatewayError(
        'backend_error',
        `backend "${this.backend}" does not support resource subscriptions (its capabilities lack resources.subscribe)`,
        { backend: this.backend },
      );
    }
    return {
      ...(capabilities?.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(capabilities?.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(capabilities?.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(resources.length > 0 ? { resourceSubscriptions: [...resources] } : {}),
    };
  }

  /**
   * A stream dropped under the connection (not closed by either side on purpose) is opened again, once: a backend
   * that keeps dropping it is not asked in a loop (its list changes then arrive at its next restart).
   */
  private onClosed(subscription: Subscription, how: 'local' | 'graceful' | 'remote'): void {
    if (how !== 'remote' || this.closed || subscription !== this.current) return;
    this.current = undefined;
    if (this.reopened) {
      this.logger.warn('the backend dropped its subscriptions/listen stream again; not listening any more');
      return;
    }
    this.reopened = true;
    this.enqueue(this.resources).catch((error: unknown) => {
      // Also what a backend that exited looks like: its restart opens a new stream.
      this.logger.debug('the backend dropped its subscriptions/listen stream and refused a new one', {
        error: plainMessage(error),
      });
    });
  }
}
