import type { Transport, JSONRPCMessage } from '@modelcontextprotocol/server';
import { DelegatingTransport } from './delegating-transport.js';

/**
 * Wraps a transport so that the gateway sees every incoming message first, in arrival order, and may consume it
 * before the SDK Client does. The Client handles a notification a step after a response read in the same chunk;
 * relaying progress from here keeps a backend's last progress update ahead of its result. The responses to the
 * requests the gateway sends itself (the fast path, `outgoing-requests.ts`) are taken here too.
 */
export class InterceptingTransport extends DelegatingTransport {
  /**
   * `intercept` returns true when it consumed the message. The owner of the inner transport ends it: `close()` only
   * lets go of it (a Client whose handshake failed closes its transport, and the owner may try again on the same one,
   * in the other protocol era). `started`: the inner transport is started already (a child process is spawned before
   * its handshake, or an earlier attempt started it), so `start()` must not start it again.
   */
  constructor(
    inner: Transport,
    private readonly intercept: (message: JSONRPCMessage) => boolean,
    private readonly started: boolean,
  ) {
    super(inner);
    inner.onmessage = (message) => {
      if (!this.intercept(message)) this.onmessage?.(message);
    };
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  override start(): Promise<void> {
    return this.started ? Promise.resolve() : super.start();
  }

  override close(): Promise<void> {
    this.inner.onmessage = undefined;
    this.inner.onclose = undefined;
    this.inner.onerror = undefined;
    this.onclose?.();
    return Promise.resolve();
  }
}
