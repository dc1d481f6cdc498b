import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage, errorResult } from '../shared/tool-result.js';

const MESSAGES: Readonly<Record<string, (requested: string) => string>> = {
  ENOENT: (requested) => `${requested} does not exist`,
  ENOTDIR: (requested) => `${requested}: a parent of this path is not a directory`,
  EISDIR: (requested) => `${requested} is a directory`,
  EACCES: (requested) => `Permission denied: ${requested}`,
  EPERM: (requested) => `Permission denied: ${requested}`,
  EEXIST: (requested) => `${requested}: a file is in the way of a folder to create`,
  ELOOP: (requested) => `${requested}: too many levels of symbolic links`,
};

/**
 * Runs a filesystem tool body; a thrown error becomes an error result that names the path the client
 * gave. Node's own messages would reveal the server's absolute paths.
 */
export async function guardFsTool(
  requested: string,
  body: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    const code =
      error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
    const describe = MESSAGES[code];
    return errorResult(describe ? describe(requested) : errorMessage(error));
  }
}
