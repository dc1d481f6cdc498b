import type { CallToolResult } from '@modelcontextprotocol/server';

/**
 * Checks the shape of a backend's `tools/call` result and returns it unchanged. This is the gateway's one check
 * of a forwarded result, and a cheap one: the top-level fields a caller relies on (`content` a list of typed
 * blocks, `structuredContent` an object, `isError` a boolean). The blocks themselves are passed on as the backend
 * wrote them, for the client at the far end to read; a full schema parse here would cost more than the rest of
 * the hop. A missing `content` reads as empty, as the protocol's schema has it.
 */
export function toCallToolResult(result: Record<string, unknown>): CallToolResult {
  const { content, structuredContent, isError } = result;
  if (content === undefined) return { ...result, content: [] };
  if (!Array.isArray(content)) throw malformed('"content" is not an array');
  for (const block of content) {
    if (
      typeof block !== 'object' ||
      block === null ||
      typeof (block as { type?: unknown }).type !== 'string'
    ) {
      throw malformed('a "content" block has no "type"');
    }
  }
  if (
    structuredContent !== undefined &&
    (typeof structuredContent !== 'object' || structuredContent === null)
  ) {
    throw malformed('"structuredContent" is not an object');
  }
  if (isError !== undefined && typeof isError !== 'boolean') throw malformed('"isError" is not a boolean');
  return result as CallToolResult;
}

function malformed(what: string): Error {
  return new Error(`the backend returned a malformed tool result: ${what}`);
}
