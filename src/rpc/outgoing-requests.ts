/**
 * The backend side of the fast path: requests the gateway writes on a backend's transport itself, beside the SDK
 * Client that shares the transport (the Client still does the handshake, lists and pings). Results come back
 * unparsed, for the caller to check what it relies on; the SDK Client would validate each one with a schema.
 * Request ids are strings (`gw-N`), so they never meet the Client's numeric ids. Progress for these requests is
 * relayed from here too, in arrival order, before the response that may follow in the same read.
 */
import type { Transport, JSONRPCMessage, Progress } from '@modelcontextprotocol/server';
import { GatewayError } from '../errors/gateway-error.js';
import { plainMessage } from '../errors/protocol-error.js';
import { fromWireError } from '../errors/to-wire.js';
import { isPlainObject } from './guards.js';

/** A request or notification with its parameters. */
export interface RpcMessage {
  readonly method: string;
  readonly params?: Record<string, unknown> | undefined;
}

/** A request written on the transport, waiting for its response. */
export interface SentRequest {
  /**
   * The `result` the peer sent, unparsed. Rejects with a `ProtocolError` carrying the peer's code, message and
   * data when it answered with an error, or with the reason the request was given up.
   */
  readonly response: Promise<Record<string, unknown>>;
  /** Gives up on the request: the peer is told (`notifications/cancelled`), and `response` rejects with `reason`. */
  cancel(reason: Error): void;
}

interface PendingRequest {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

let nextProgressToken = 0;

/** The requests in flight on one connection, and the progress routes of the ones that asked for progress. */
export class OutgoingRequests {
  private transport: Transport | undefined;
  private closedBecause: Error | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly progressRoutes = new Map<string, (progress: Progress) => void>();
  private nextId = 0;

  /** `name` prefixes progress tokens, so that a backend's log of them says whose they are. */
  constructor(private readonly name: string) {}

  /** Starts sending on `transport` (once the handshake is done). */
  attach(transport: Transport): void {
    this.transport = transport;
  }

  /** Rejects every request in flight, and every later one, with `reason`. */
  close(reason: Error): void {
    this.closedBecause ??= reason;
    for (const pending of this.pending.values()) pending.reject(reason);
    this.pending.clear();
  }

  /** Writes a request; see {@link SentRequest}. */
  send(request: RpcMessage): SentRequest {
    const transport = this.transport;
    if (!transport || this.closedBecause) {
      return refused(
        this.closedBecause ?? new GatewayError('backend_unavailable', 'the connection is not open'),
      );
    }
    const id = `gw-${++this.nextId}`;
    let pending!: PendingRequest;
    const response = new Promise<Record<string, unknown>>((resolve, reject) => {
      pending = { resolve, reject };
    });
    this.pending.set(id, pending);
    const message = request.params === undefined ? { method: request.method } : request;
    transport.send({ jsonrpc: '2.0', id, ...message }).catch((error: unknown) => {
      if (this.pending.delete(id)) pending.reject(error as Error);
    });
    const cancel = (reason: Error): void => {
      if (!this.pending.delete(id)) return;
      transport
        .send({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: id, reason: plainMessage(reason) },
        })
        // The peer may be gone already; the caller has its answer (the reason) either way.
        .catch(() => undefined);
      pending.reject(reason);
    };
    return { response, cancel };
  }

  /** Registers a progress relay and returns the token to send as `_meta.progressToken`. */
  routeProgress(relay: (progress: Progress) => void): string {
    const token = `${this.name}-${++nextProgressToken}`;
    this.progressRoutes.set(token, relay);
    return token;
  }

  /** Forgets a progress relay once its call is over. */
  unrouteProgress(token: string): void {
    this.progressRoutes.delete(token);
  }

  /**
   * Takes the responses to this object's requests and the progress of their calls, in the order the transport
   * delivers them; true when the message was taken. Everything else belongs to the SDK Client.
   */
  intercept(message: JSONRPCMessage): boolean {
    if (!('method' in message)) return this.settle(message);
    if (message.method !== 'notifications/progress' || 'id' in message) return false;
    const params = message.params as (Progress & { progressToken?: unknown }) | undefined;
    const route =
      typeof params?.progressToken === 'string' ? this.progressRoutes.get(params.progressToken) : undefined;
    if (!route || !params) return false;
    const { progressToken: _token, ...progress } = params;
    route(progress);
    return true;
  }

  /** Settles the request a response answers; false when it answers none of them (the Client's own). */
  private settle(response: JSONRPCMessage): boolean {
    const id = (response as { id?: unknown }).id;
    const pending = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (pending === undefined || typeof id !== 'string') return false;
    this.pending.delete(id);
    const { result, error } = response as { result?: unknown; error?: unknown };
    if (isPlainObject(error)) pending.reject(fromWireError(error));
    else if (isPlainObject(result)) pending.resolve(result);
    else pending.reject(new Error('the backend sent a response with neither a result object nor an error'));
    return true;
  }
}

function refused(error: Error): SentRequest {
  return { response: Promise.reject(error), cancel: () => undefined };
}
