/**
 * The `MCP-Protocol-Version` header: absent means the client speaks the oldest Streamable HTTP revision (the spec
 * says to assume 2025-03-26); present, it must name a revision this SDK supports.
 */
import type { IncomingMessage } from 'node:http';

import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { Rejection } from './http-responses.js';

const HEADER = 'mcp-protocol-version';

/** A 400 for a request whose protocol version header is present and unsupported (or repeated). */
export function checkProtocolVersion(req: IncomingMessage): Rejection | undefined {
  const value = req.headers[HEADER];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(value)) return undefined;
  return {
    status: 400,
    message: `Bad Request: unsupported MCP-Protocol-Version; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`,
  };
}
