import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/** Options for {@link runStdioServer}. */
export interface RunStdioServerOptions {
  /** Short name used in the stderr diagnostics, e.g. `weather`. */
  name: string;
  /** Extra detail for the "ready" line on stderr, e.g. the data source in use. */
  detail?: string;
  /** Releases resources (database handles...) before the process exits. */
  onShutdown?: () => void | Promise<void>;
}

/**
 * Serves `server` over stdio and owns the process lifetime: the server exits with code 0 when its
 * stdin closes (the client went away) or on SIGTERM/SIGINT, after running `onShutdown` once.
 */
export async function runStdioServer(server: McpServer, options: RunStdioServerOptions): Promise<void> {
  let shuttingDown = false;

  const shutdown = async (reason: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    let exitCode = 0;
    try {
      await server.close();
      await options.onShutdown?.();
    } catch (error) {
      console.error(`${options.name}: error during shutdown:`, error);
      exitCode = 1;
    }
    console.error(`${options.name}: exiting (${reason})`);
    // Exit explicitly: keep-alive sockets or timers must not keep an orphaned server alive.
    process.exit(exitCode);
  };

  // An MCP stdio server has no purpose once its client has gone, so stdin closing means "stop".
  process.stdin.once('end', () => void shutdown('stdin ended'));
  process.stdin.once('close', () => void shutdown('stdin closed'));
  // A client that dies mid-response makes stdout writes fail with EPIPE; that is a shutdown, not a crash.
  process.stdout.on('error', () => void shutdown('stdout closed'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await server.connect(new StdioServerTransport());
  console.error(`${options.name}: MCP server ready on stdio${options.detail ? ` (${options.detail})` : ''}`);
}
