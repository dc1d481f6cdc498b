import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * Wraps a transport so that the gateway sees every incoming message first, in arrival order, and may consume it
 * before the SDK Client does. The Client handles a notification a step after a response read in the same chunk;
 * relaying progress from here keeps a backend's last progress update ahead of its result.
 */
export class InterceptingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /**
   * `intercept` returns true when it consumed the message. `innerStarted`: the owner already started the inner
   * transport (a child process is spawned before its handshake), so `start()` must not start it again.
   */
  constructor(
    private readonly inner: Transport,
    private readonly intercept: (message: JSONRPCMessage) => boolean,
    private readonly innerStarted = false,
  ) {
    inner.onmessage = (message) => {
      if (!this.intercept(message)) this.onmessage?.(message);
    };
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.innerStarted ? Promise.resolve() : this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }
}
