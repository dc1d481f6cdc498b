/**
 * Sends each request to the replica that owns what it names, before the local endpoint sees it: a 2025 request by
 * its session id (`<replica>.<uuid>`, read before the body, which is then streamed), a 2026-07-28 retry by the
 * replica its `requestState` names (read from the parsed body). A request that names this replica, or none, is
 * served here. A forwarded request (signed hop header) is never forwarded again: it is served here, or gets 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../../logger.js';
import { headerValue } from '../http/header-value.js';
import { SHUTTING_DOWN, type Rejection } from '../http/http-responses.js';
import { createPeerAgent, forwardToPeer } from './forward-to-peer.js';
import { HOP_HEADER, ownerOfSession, readHop, signHop, type PeerRouting } from './peer-routing.js';

/** What happened to a request the router looked at. */
export type Routed = 'local' | 'handled';

/** Routes requests to their owners among the replicas. */
export class OwnerRouter {
  private readonly agent = createPeerAgent();
  /** What a request without a session gets: 'local', once the peers can find this replica. */
  private unrouted: Promise<Routed>;

  constructor(
    private readonly routing: PeerRouting,
    private readonly logger: Logger,
    private readonly refuse: (res: ServerResponse, rejection: Rejection) => void,
    /** Whether this replica is shutting down: it forwards nothing then (new work goes to another replica). */
    private readonly draining: () => boolean,
  ) {
    const { joined } = routing;
    this.unrouted = joined === undefined ? Promise.resolve('local') : joined.then(() => 'local');
    // Once joined, no request waits on the promise chain any more.
    void this.unrouted.then(() => (this.unrouted = Promise.resolve('local')));
  }

  /**
   * A 2025 request: forwarded (or answered 404) when its session belongs to another replica. One without a session
   * (an `initialize`, a 2026-07-28 request) is served here once the peers can find this replica, so that a session
   * or `requestState` minted here is never unknown to them.
   */
  routeSession(req: IncomingMessage, res: ServerResponse): Promise<Routed> {
    const sessionId = headerValue(req, 'mcp-session-id');
    if (sessionId === undefined) return this.unrouted;
    return this.route(req, res, ownerOfSession(sessionId), sessionId, undefined);
  }

  /** A 2026-07-28 request whose body was read: forwarded when its `requestState` belongs to another replica. */
  routeState(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<Routed> {
    const state = requestStateOf(body);
    if (state === undefined) return Promise.resolve('local');
    const raw = Buffer.from(JSON.stringify(body));
    return this.route(req, res, this.routing.ownerOfState(state), state, raw);
  }

  /** Ends the kept-alive connections to peers. */
  close(): void {
    this.agent.destroy();
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    owner: string | undefined,
    route: string,
    body: Buffer | undefined,
  ): Promise<Routed> {
    const { self, hopKey } = this.routing;
    if (owner === undefined || owner === self) return 'local';
    const hop = headerValue(req, HOP_HEADER);
    if (hop !== undefined) {
      if (readHop(hopKey, hop, self, route) !== undefined) return 'local';
      this.refuse(res, { status: 403, message: `Forbidden: the ${HOP_HEADER} header is not valid` });
      return 'handled';
    }
    if (this.draining()) {
      this.refuse(res, SHUTTING_DOWN);
      return 'handled';
    }
    const url = await this.routing.urlOf(owner);
    if (url === undefined) {
      // The owner left the cluster (no heartbeat): its sessions are gone, the client starts a new one.
      this.refuse(res, { status: 404, message: 'Session not found' });
      return 'handled';
    }
    await forwardToPeer(req, res, {
      url,
      hop: signHop(hopKey, self, owner, route),
      body,
      agent: this.agent,
      logger: this.logger,
      refuse: this.refuse,
    });
    return 'handled';
  }
}

/** The `requestState` of a single JSON-RPC request's params, if any. */
function requestStateOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const params = (body as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  const state = (params as { requestState?: unknown }).requestState;
  return typeof state === 'string' ? state : undefined;
}
