/**
 * Holds a connection's messages until the gateway has started its backends, but for `server/discover`, which is
 * answered at once. A client that negotiates the protocol era by probing (the SDK v2 client in `auto` mode runs its
 * probe on stdio in a sibling process, which it ends as soon as it has the answer) must not make the gateway start
 * every backend for a process that only answers one question, nor wait for them.
 */
import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/server';
import { DelegatingTransport } from '../rpc/delegating-transport.js';

/** A transport whose messages (but `server/discover`) wait for `start()` of the backends to settle. */
export class StartupGate extends DelegatingTransport {
  private starting: Promise<void> | undefined;
  /** Messages held while starting, in arrival order. */
  private held: { message: JSONRPCMessage; extra: MessageExtraInfo | undefined }[] | undefined;

  /** `startBackends` runs once, on the first message that is not `server/discover`; a failure is the caller's. */
  constructor(
    inner: Transport,
    private readonly startBackends: () => Promise<void>,
  ) {
    super(inner);
    inner.onmessage = (message, extra) => this.receive(message, extra);
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  private receive(message: JSONRPCMessage, extra: MessageExtraInfo | undefined): void {
    if (this.held === undefined && this.starting !== undefined) {
      this.onmessage?.(message, extra);
      return;
    }
    if (this.starting === undefined && 'method' in message && message.method === 'server/discover') {
      this.onmessage?.(message, extra);
      return;
    }
    (this.held ??= []).push({ message, extra });
    this.starting ??= this.startBackends()
      .catch((error: unknown) => this.onerror?.(error instanceof Error ? error : new Error(String(error))))
      .finally(() => this.release());
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const { message, extra } of held) this.onmessage?.(message, extra);
  }
}
