/**
 * The `MCP-Protocol-Version` header: absent means the client speaks the oldest Streamable HTTP revision (the spec
 * says to assume 2025-03-26); present, it must name a revision the gateway serves: a 2025-era one (a session), or
 * 2026-07-28 (a stateless request, whose own checks the modern leg makes).
 */
import type { IncomingMessage } from 'node:http';

import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { Rejection } from './http-responses.js';

const HEADER = 'mcp-protocol-version';

/** The revisions of the stateless era the SDK serves (it does not export its list). */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];

/** Every revision the front door serves, newest first. */
export const SERVED_PROTOCOL_VERSIONS: readonly string[] = [
  ...MODERN_PROTOCOL_VERSIONS,
  ...SUPPORTED_PROTOCOL_VERSIONS,
];

/** A 400 for a request whose protocol version header is present and unsupported (or repeated). */
export function checkProtocolVersion(req: IncomingMessage): Rejection | undefined {
  const value = req.headers[HEADER];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && SERVED_PROTOCOL_VERSIONS.includes(value)) return undefined;
  return {
    status: 400,
    message: `Bad Request: unsupported MCP-Protocol-Version; supported: ${SERVED_PROTOCOL_VERSIONS.join(', ')}`,
  };
}
