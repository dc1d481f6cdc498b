/**
 * Which protocol era a backend connection speaks: the 2025 one (opened by `initialize`, stateful) or 2026-07-28
 * (stateless: every request carries the protocol version, the client's info and its capabilities in `_meta`). The
 * fast path sends its own requests, so it adds that envelope itself.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  type Client,
  type ClientCapabilities,
  type Implementation,
} from '@modelcontextprotocol/client';

/** The modern revision the gateway pins when a backend refused the 2025 handshake. */
export const MODERN_REVISION = '2026-07-28';

/** How a Client negotiates: the 2025 handshake, a probe (`auto`), or the modern revision only. */
export type EraMode = 'legacy' | 'auto' | { readonly pin: typeof MODERN_REVISION };

/** The pin of {@link MODERN_REVISION}. */
export const MODERN_PIN: EraMode = { pin: MODERN_REVISION };

/** The era of a connection, and for the modern one the `_meta` envelope every request carries. */
export type ConnectionEra =
  | { readonly kind: 'legacy' }
  | { readonly kind: 'modern'; readonly envelope: Readonly<Record<string, unknown>> };

/** A connection speaking the 2025 era. */
export const LEGACY_ERA: ConnectionEra = { kind: 'legacy' };

/**
 * The era a connected Client negotiated, with the envelope of its requests when modern: the gateway's own info
 * and capabilities, those the Client was made with.
 */
export function protocolEraOf(
  client: Client,
  clientInfo: Implementation,
  capabilities: ClientCapabilities,
): ConnectionEra {
  if (client.getProtocolEra() !== 'modern') return LEGACY_ERA;
  return {
    kind: 'modern',
    envelope: {
      [PROTOCOL_VERSION_META_KEY]: client.getNegotiatedProtocolVersion() ?? MODERN_REVISION,
      [CLIENT_INFO_META_KEY]: clientInfo,
      [CLIENT_CAPABILITIES_META_KEY]: capabilities,
    },
  };
}
