import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A successful tool result carrying human-readable text and, optionally, structured data. */
export function textResult(text: string, structuredContent?: Record<string, unknown>): CallToolResult {
  return structuredContent === undefined
    ? { content: [{ type: 'text', text }] }
    : { content: [{ type: 'text', text }], structuredContent };
}

/** A tool-level failure: the client sees `isError: true` and the message, and the server keeps running. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Message of any thrown value, for error results. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a tool body and turns any thrown error into an error result, so a failing tool never depends on
 * how the SDK happens to report exceptions.
 */
export async function guardTool(
  body: () => CallToolResult | Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return errorResult(errorMessage(error));
  }
}
