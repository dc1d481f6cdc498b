/**
 * The first message of a stdio connection decides its era. A 2025 opening (a message without the 2026-07-28
 * envelope: `initialize`) is served by a session on the gateway's own transport, with nothing in between: the fast
 * path batches the answers of one turn in one write, which a message pump in front of it would undo (measured:
 * 2.6x the gateway's CPU per call with 64 calls in flight). Anything else (`server/discover`, a request claiming the
 * envelope, or a malformed claim) goes to the SDK's stdio entry, which serves 2026-07-28 and answers what it refuses.
 */
import {
  PROTOCOL_VERSION_META_KEY,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type Transport,
} from '@modelcontextprotocol/server';
import { DelegatingTransport } from '../rpc/delegating-transport.js';

/** Whether a connection opening with `message` is of the 2025 era. */
export function opensLegacyEra(message: JSONRPCMessage): boolean {
  if (!('method' in message) || message.method === 'server/discover') return false;
  const meta = (message.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  return meta?.[PROTOCOL_VERSION_META_KEY] === undefined;
}

/**
 * A started transport that holds what arrives until someone takes over: `onOpening` hears the first message, and
 * whoever connects next (`start()`, which does not start the inner transport again) gets it and everything after,
 * in order.
 */
export class OpeningTransport extends DelegatingTransport {
  private held: { message: JSONRPCMessage; extra: MessageExtraInfo | undefined }[] = [];
  private taken = false;
  private closedEarly = false;

  constructor(
    inner: Transport,
    private readonly onOpening: (message: JSONRPCMessage) => void,
  ) {
    super(inner);
    inner.onmessage = (message, extra) => {
      if (this.taken) {
        this.onmessage?.(message, extra);
        return;
      }
      this.held.push({ message, extra });
      if (this.held.length === 1) this.onOpening(message);
    };
    inner.onclose = () => {
      if (this.taken) this.onclose?.();
      else this.closedEarly = true;
    };
    inner.onerror = (error) => this.onerror?.(error);
  }

  /** Starts reading (once, by the front door). */
  listen(): Promise<void> {
    return this.inner.start();
  }

  /** For the one that takes over: delivers what was held, then passes everything through. */
  override start(): Promise<void> {
    // After the caller has set its handlers (it starts the transport once connected to it).
    queueMicrotask(() => {
      this.taken = true;
      const held = this.held;
      this.held = [];
      for (const { message, extra } of held) this.onmessage?.(message, extra);
      if (this.closedEarly) this.onclose?.();
    });
    return Promise.resolve();
  }
}
