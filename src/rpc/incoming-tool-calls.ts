/**
 * The client side of the fast path: every `tools/call` is served straight from the transport, ahead of the SDK
 * Server. The SDK parses each request and each result with its schemas on the way through; a proxy passes results on
 * unchanged, so here the request is checked once for the fields the gateway reads and the result goes back as it
 * came. This is the only way a `tools/call` is served: a malformed one, or one reusing the id of a call in flight,
 * is answered here too (the same request sent again under its id is not run twice: see `take`). Everything else
 * (initialize, lists, resources, responses, notifications) goes on to the SDK Server, whose answers are the SDK's
 * own.
 */
import type {
  Transport,
  CallToolResult,
  CreateTaskResult,
  JSONRPCMessage,
  RequestId,
  ServerRequest,
} from '@modelcontextprotocol/server';
import { GatewayError } from '../errors/gateway-error.js';
import { plainMessage } from '../errors/protocol-error.js';
import { toProtocolError } from '../errors/to-wire.js';
import type { Logger } from '../logger.js';
import type { CallerChannel } from './caller-channel.js';
import { DelegatingTransport } from './delegating-transport.js';
import { isRequestId } from './guards.js';
import { readToolCallParams, type ToolCallParams } from './tool-call-request.js';

/** How incoming calls are run and how the client is reached while they run. */
export interface IncomingCallHandlers {
  /** Runs one call. */
  call(params: ToolCallParams, caller: CallerChannel): Promise<CallToolResult | CreateTaskResult>;
  /** Sends the client a request tied to the call `relatedRequestId` (through the Server, which owns request ids). */
  request(
    request: ServerRequest,
    options: { relatedRequestId: RequestId; signal: AbortSignal },
  ): Promise<Record<string, unknown>>;
  readonly logger: Logger;
}

/** A call in flight: aborting its controller cancels it; its params tell the same request sent again. */
interface InFlightCall {
  readonly controller: AbortController;
  readonly params: unknown;
}

/** A transport wrapper that serves every `tools/call` itself and passes the rest on. */
export class IncomingToolCalls extends DelegatingTransport {
  /** Calls in flight by request id. */
  private readonly calls = new Map<RequestId, InFlightCall>();

  constructor(
    inner: Transport,
    private readonly handlers: IncomingCallHandlers,
  ) {
    super(inner);
    inner.onmessage = (message, extra) => {
      if (!this.take(message)) this.onmessage?.(message, extra);
    };
    // Handlers the front door set before connecting (session bookkeeping) keep running, as the SDK's do.
    const { onclose: previousOnClose, onerror: previousOnError } = inner;
    inner.onclose = () => {
      for (const call of this.calls.values())
        call.controller.abort(new Error('the client connection closed'));
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
      call.controller.abort(new Error(describeCancellation(message.params?.reason)));
      return true;
    }
    const id: unknown = message.id;
    // A request whose id is not one MCP allows is not a request at all: the SDK reports it as a bad message.
    if (message.method !== 'tools/call' || !isRequestId(id)) return false;
    const inFlight = this.calls.get(id);
    if (inFlight) {
      // The same request again, its id and params unchanged: sent anew by a load balancer whose connection to a
      // replica in between died before the answer came. It is not run twice; the answer of the run in progress
      // goes where the transport now sends that id's answer (the Streamable HTTP transport: the newest stream).
      if (sameParams(inFlight.params, message.params)) return true;
      void this.respond(
        id,
        errorResponse(
          id,
          new GatewayError(
            'duplicate_request_id',
            `Invalid request: the id ${JSON.stringify(id)} is already used by a tools/call in flight`,
          ),
        ),
      );
      return true;
    }
    let params: ToolCallParams;
    try {
      params = readToolCallParams(message.params);
    } catch (error) {
      void this.respond(id, errorResponse(id, error));
      return true;
    }
    void this.run(id, params, message.params);
    return true;
  }

  private async run(id: RequestId, params: ToolCallParams, raw: unknown): Promise<void> {
    const controller = new AbortController();
    this.calls.set(id, { controller, params: raw });
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
      response = errorResponse(id, error);
    } finally {
      this.calls.delete(id);
    }
    // A cancelled request gets no response (the client has forgotten the id), as the SDK Server does.
    if (controller.signal.aborted) return;
    await this.respond(id, response);
  }

  private async respond(id: RequestId, response: JSONRPCMessage): Promise<void> {
    try {
      await this.inner.send(response, { relatedRequestId: id });
    } catch (error) {
      this.handlers.logger.debug('could not send a tools/call response', { error: plainMessage(error) });
    }
  }
}

/** Whether two requests' params are the same (compared only when an id comes again while its call runs). */
function sameParams(first: unknown, second: unknown): boolean {
  return JSON.stringify(first) === JSON.stringify(second);
}

function errorResponse(id: RequestId, error: unknown): JSONRPCMessage {
  const { code, message, data } = toProtocolError(error);
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

function describeCancellation(reason: unknown): string {
  return typeof reason === 'string' && reason !== ''
    ? `cancelled by the client: ${reason}`
    : 'cancelled by the client';
}
