/**
 * Serves `tools/call` straight from the transport, ahead of the SDK Server: the forwarding hot path. The SDK
 * parses each request and each result with its schemas on the way through; a proxy passes results on unchanged,
 * so here the request is checked once for the fields the gateway reads and the result goes back as it came. The
 * call itself runs in `dispatchToolCall`, the same code the Server's handler runs; everything that is not a
 * well-formed `tools/call` (initialize, lists, resources, responses, malformed calls) goes on to the Server, whose
 * answers are the SDK's own.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  CallToolResult,
  JSONRPCMessage,
  RequestId,
  ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';

import { plainMessage, toProtocolError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DelegatingTransport } from '../shared/delegating-transport.js';
import type { CallerChannel } from './gateway-hub.js';
import type { ToolCallParams } from './tool-call-dispatch.js';

/** How the shortcut runs a call and reaches the client. */
export interface ShortcutHandlers {
  /** Runs one call (`dispatchToolCall`). */
  call(params: ToolCallParams, caller: CallerChannel): Promise<CallToolResult>;
  /** Sends the client a request tied to the call `relatedRequestId` (through the Server, which owns request ids). */
  request(
    request: ServerRequest,
    options: { relatedRequestId: RequestId; signal: AbortSignal },
  ): Promise<Record<string, unknown>>;
  readonly logger: Logger;
}

/** A transport wrapper that answers well-formed `tools/call` requests itself and passes the rest on. */
export class ToolCallShortcut extends DelegatingTransport {
  /** Calls in flight by request id; aborting one cancels it. */
  private readonly calls = new Map<RequestId, AbortController>();

  constructor(
    inner: Transport,
    private readonly handlers: ShortcutHandlers,
  ) {
    super(inner);
    inner.onmessage = (message, extra) => {
      if (!this.take(message)) this.onmessage?.(message, extra);
    };
    // Handlers the front door set before connecting (session bookkeeping) keep running, as the SDK's do.
    const { onclose: previousOnClose, onerror: previousOnError } = inner;
    inner.onclose = () => {
      for (const call of this.calls.values()) call.abort(new Error('the client connection closed'));
      this.calls.clear();
      previousOnClose?.();
      this.onclose?.();
    };
    inner.onerror = (error) => {
      previousOnError?.(error);
      this.onerror?.(error);
    };
  }

  /** True when the message was a call this wrapper serves, or the cancellation of one. */
  private take(message: JSONRPCMessage): boolean {
    if (!('method' in message)) return false;
    if (!('id' in message)) {
      if (message.method !== 'notifications/cancelled') return false;
      const call = this.calls.get(message.params?.requestId as RequestId);
      if (!call) return false;
      call.abort(new Error(describeCancellation(message.params?.reason)));
      return true;
    }
    const id: unknown = message.id;
    // Anything odd (an id that is not a string or number, one already in flight) is the SDK's to answer.
    if (message.method !== 'tools/call' || !isRequestId(id) || this.calls.has(id)) return false;
    const params = readCallParams(message.params);
    if (!params) return false;
    void this.run(id, params);
    return true;
  }

  private async run(id: RequestId, params: ToolCallParams): Promise<void> {
    const controller = new AbortController();
    this.calls.set(id, controller);
    const related = { relatedRequestId: id };
    const caller: CallerChannel = {
      signal: controller.signal,
      sendRequest: (request, signal) => this.handlers.request(request, { ...related, signal }),
      sendNotification: (notification) => this.inner.send({ jsonrpc: '2.0', ...notification }, related),
    };
    let response: JSONRPCMessage;
    try {
      const result = await this.handlers.call(params, caller);
      response = { jsonrpc: '2.0', id, result };
    } catch (error) {
      const { code, message, data } = toProtocolError(error);
      response = {
        jsonrpc: '2.0',
        id,
        error: data === undefined ? { code, message } : { code, message, data },
      };
    } finally {
      this.calls.delete(id);
    }
    // A cancelled request gets no response (the client has forgotten the id), as the SDK Server does.
    if (controller.signal.aborted) return;
    try {
      await this.inner.send(response, related);
    } catch (error) {
      this.handlers.logger.debug('could not send a tools/call response', { error: plainMessage(error) });
    }
  }
}

/**
 * The parameters of a `tools/call` when they have the shape the gateway relies on (a name, optional object
 * arguments and `_meta`); undefined otherwise, leaving the request to the SDK's validation and error.
 */
function readCallParams(params: unknown): ToolCallParams | undefined {
  if (!isPlainObject(params)) return undefined;
  const { name, arguments: args, _meta: meta } = params;
  if (typeof name !== 'string') return undefined;
  if (args !== undefined && !isPlainObject(args)) return undefined;
  if (meta !== undefined && !isPlainObject(meta)) return undefined;
  return params as unknown as ToolCallParams;
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeCancellation(reason: unknown): string {
  return typeof reason === 'string' && reason !== ''
    ? `cancelled by the client: ${reason}`
    : 'cancelled by the client';
}
