/**
 * The 2026-07-28 leg of the MCP endpoint: stateless requests that carry their protocol version, client info and
 * capabilities in `_meta`, served by the SDK's `createMcpHandler` with a gateway server per request. Change
 * notifications reach the clients listening with `subscriptions/listen` through the handler's event bus.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import {
  classifyInboundRequest,
  createMcpHandler,
  type AuthInfo,
  type McpHttpHandler,
} from '@modelcontextprotocol/server';
import { toNodeHandler, type NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import type { Logger } from '../../logger.js';
import type { PrincipalClaims, SessionOpener } from '../session-opener.js';
import type { AuthIdentity } from './bearer-auth.js';
import { headerValue } from './header-value.js';

/**
 * Whether a request belongs to the modern leg: it claims the per-request envelope (or is refused for a malformed
 * claim, which the modern leg answers as the spec says). A body-less request, an `initialize`, and a request
 * without a claim are 2025 traffic.
 */
export function isModernRequest(req: IncomingMessage, body: unknown): boolean {
  const outcome = classifyInboundRequest({
    httpMethod: req.method ?? 'GET',
    protocolVersionHeader: headerValue(req, 'mcp-protocol-version'),
    mcpMethodHeader: headerValue(req, 'mcp-method'),
    mcpNameHeader: headerValue(req, 'mcp-name'),
    body,
  });
  return outcome.kind !== 'legacy';
}

/** Serves modern requests; closed with the front door. */
export class ModernEndpoint {
  private readonly handler: McpHttpHandler;
  private readonly serve: NodeMcpRequestHandler;
  private readonly stopWatching: () => void;

  constructor(opener: SessionOpener, logger: Logger) {
    const onerror = (error: Error): void =>
      logger.debug('a modern request was not served', { error: error.message });
    // Legacy traffic never reaches this handler (the endpoint keeps its sessions), hence `reject`.
    // The principal comes through the handler's pass-through auth info (see `handle`).
    this.handler = createMcpHandler(
      ({ authInfo }) =>
        opener.createServer({
          era: 'modern',
          hearsChanges: false,
          identity: {
            principal: authInfo?.clientId ?? 'anonymous',
            frontDoor: 'http-modern',
            sessionId: undefined,
            claims: authInfo?.extra?.claims as PrincipalClaims | undefined,
          },
        }),
      { legacy: 'reject', onerror },
    );
    this.serve = toNodeHandler(this.handler, { onerror });
    const notify = this.handler.notify;
    this.stopWatching = opener.watchChanges((change) => {
      if (change === 'tools') notify.toolsChanged();
      else if (change === 'prompts') notify.promptsChanged();
      else notify.resourcesChanged();
    });
  }

  /**
   * Serves one request whose body was already read and parsed, made by `identity`: handed to the handler as the
   * auth info's client id and extra claims (the token itself is never passed on).
   */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown, identity: AuthIdentity): Promise<void> {
    const auth: AuthInfo = {
      token: '',
      clientId: identity.principal,
      scopes: [...(identity.claims?.scopes ?? [])],
      extra: { claims: identity.claims },
    };
    return this.serve(Object.assign(req, { auth }), res, body);
  }

  /** Ends the exchanges in flight and the listen streams. */
  async close(): Promise<void> {
    this.stopWatching();
    await this.handler.close();
  }
}
