/** A backend's whole tool list, page after page. */
import type { Client, Tool } from '@modelcontextprotocol/client';

/** Every tool the backend lists (none when it has no tools capability); each page within `timeoutMs`. */
export async function listAllTools(client: Client, timeoutMs: number): Promise<Tool[]> {
  if (!client.getServerCapabilities()?.tools) return [];
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}
