/**
 * The handshake of a backend connection, in the backend's protocol era. A remote backend is probed with
 * `server/discover` (one request, answered by a 2026-07-28 server and refused by a 2025 one). A local one gets the
 * 2025 handshake first, which every stdio server of that era answers (a probe would stall servers that ignore
 * requests before `initialize`, and some exit on them); one that refuses it as an unsupported version speaks only
 * 2026-07-28, and is asked again on the same process in that era. A 2026-07-28 backend announces list changes only
 * on a `subscriptions/listen` stream, so one is opened for the lists it says change.
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
  /** The connection owns the transport (a child it spawned): a failed attempt leaves it open for the next. */
  readonly owned: boolean;
  /** The deprecated SSE transport predates 2026-07-28: no probe there. */
  readonly legacyOnly: boolean;
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
  const connect = async (mode: EraMode): Promise<Client> => {
    const client = options.createClient(mode);
    const intercepted = new InterceptingTransport(options.transport, options.intercept, options.owned);
    await client.connect(intercepted, { timeout: options.timeoutMs });
    return client;
  };
  let client: Client;
  if (options.legacyOnly) client = await connect('legacy');
  else if (!options.owned) client = await connect('auto');
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
  const era = protocolEraOf(client, options.clientInfo, options.capabilities);
  if (era.kind === 'modern') await listenForChanges(client, options.timeoutMs);
  return { client, era };
}

async function listenForChanges(client: Client, timeoutMs: number): Promise<void> {
  const capabilities = client.getServerCapabilities();
  const filter = {
    ...(capabilities?.tools?.listChanged ? { toolsListChanged: true } : {}),
    ...(capabilities?.prompts?.listChanged ? { promptsListChanged: true } : {}),
    ...(capabilities?.resources?.listChanged ? { resourcesListChanged: true } : {}),
  };
  if (Object.keys(filter).length === 0) return;
  await client.listen(filter, { timeout: timeoutMs });
}
