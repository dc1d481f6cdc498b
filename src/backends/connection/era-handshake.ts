/**
 * The handshake of a backend connection, in the backend's protocol era. Unless its config says which (`protocol`),
 * a backend gets the 2025 handshake first: every server of that era answers it (a `server/discover` probe would
 * stall stdio servers that ignore requests before `initialize`, and some exit on them), and a server of both eras
 * then keeps what only the 2025 one has (resource subscriptions, log levels, a session). One that refuses it as an
 * unsupported version speaks only 2026-07-28, and is asked again, on the same process or URL, in that era. A 2026-07-28 backend announces list changes only
 * on a `subscriptions/listen` stream: the connection opens one (`change-stream.ts`).
 */
import type {
  Client,
  ClientCapabilities,
  Implementation,
  JSONRPCMessage,
  Transport,
} from '@modelcontextprotocol/client';

import { plainMessage } from '../../errors/protocol-error.js';
import { isUnsupportedProtocolVersion } from '../../errors/to-wire.js';
import type { Logger } from '../../logger.js';
import { InterceptingTransport } from '../../rpc/intercepting-transport.js';
import { MODERN_PIN, protocolEraOf, type ConnectionEra, type EraMode } from './protocol-era.js';

/** What the handshake needs. */
export interface EraHandshakeOptions {
  readonly transport: Transport;
  /** The transport is started already (a child process is spawned before its handshake). */
  readonly started: boolean;
  /** What the config asks for (`auto` unless set); the deprecated SSE transport is always 2025. */
  readonly protocol: 'auto' | '2025-11-25' | '2026-07-28';
  /** A new Client for an attempt in `mode`. */
  readonly createClient: (mode: EraMode) => Client;
  /** The fast path's look at each incoming message (true: taken). */
  readonly intercept: (message: JSONRPCMessage) => boolean;
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Who the gateway says it is, and what it can do, in a 2026-07-28 request's envelope. */
  readonly clientInfo: Implementation;
  readonly capabilities: ClientCapabilities;
}

/** Connects a Client to the backend in its era; resolves with the Client and the era. */
export async function handshakeInEra(
  options: EraHandshakeOptions,
): Promise<{ client: Client; era: ConnectionEra }> {
  // The connection ends the transport itself: a failed attempt leaves it open for the next one.
  let started = options.started;
  const connect = async (mode: EraMode): Promise<Client> => {
    const client = options.createClient(mode);
    const intercepted = new InterceptingTransport(options.transport, options.intercept, started);
    started = true;
    await client.connect(intercepted, { timeout: options.timeoutMs });
    return client;
  };
  let client: Client;
  if (options.protocol === '2025-11-25') client = await connect('legacy');
  else if (options.protocol === '2026-07-28') client = await connect(MODERN_PIN);
  else {
    try {
      client = await connect('legacy');
    } catch (error) {
      if (!isUnsupportedProtocolVersion(error)) throw error;
      options.logger.debug('the backend refused the 2025 handshake; speaking 2026-07-28 to it', {
        error: plainMessage(error),
      });
      client = await connect(MODERN_PIN);
    }
  }
  return { client, era: protocolEraOf(client, options.clientInfo, options.capabilities) };
}
