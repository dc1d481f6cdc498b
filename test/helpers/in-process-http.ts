/**
 * The HTTP front door served in this process: a gateway core over a directory of fake backends, behind
 * `serveHttp` on 127.0.0.1 and a free port, reached by real SDK clients over Streamable HTTP (or by raw requests,
 * see `http-gateway.ts`). Everything served and connected is closed by {@link closeInProcessHttp}.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { ClientCapabilities } from '@modelcontextprotocol/client';
import { afterEach } from 'vitest';

import { createRegistrationPolicy } from '../../src/backends/registration/registration-policy.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { PipelineCatalog } from '../../src/pipelines/pipeline-catalog.js';
import type { BackendDirectory } from '../../src/shared/backend.js';
import { serveHttp, type HttpHandle, type HttpOptions } from '../../src/transports/http/serve-http.js';
import { IN_MEMORY_BASE_DIR } from './connect-in-memory.js';

/** The front door's options (host and port are chosen here), and the logger of the gateway and the front door. */
export type InProcessHttpOptions = Partial<Omit<HttpOptions, 'host' | 'port'>>;

/** How one client connects. */
export interface HttpClientOptions {
  /** Sent as `Authorization: Bearer <token>` with every request. */
  readonly token?: string;
  readonly capabilities?: ClientCapabilities;
}

/** A front door being served, and a way in. */
export interface InProcessHttp {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: URL;
  readonly handle: HttpHandle;
  readonly gateway: Gateway;
  /** Connects a new SDK client session (initialized). */
  readonly connect: (options?: HttpClientOptions) => Promise<Client>;
}

interface Served {
  readonly handle: HttpHandle;
  readonly gateway: Gateway;
  readonly clients: Client[];
}

const served: Served[] = [];

/** Serves a new gateway over `directory` (register_server allowed) on a free port of 127.0.0.1. */
export async function serveInProcess(
  directory: BackendDirectory,
  options: InProcessHttpOptions = {},
): Promise<InProcessHttp> {
  const logger: Logger = options.logger ?? silentLogger;
  const gateway = createGateway({
    directory,
    pipelines: new PipelineCatalog(),
    baseDir: IN_MEMORY_BASE_DIR,
    logger,
    registration: createRegistrationPolicy({ enabled: true, logger }),
  });
  const handle = await serveHttp(gateway, { ...options, host: '127.0.0.1', port: 0, logger });
  const entry: Served = { handle, gateway, clients: [] };
  served.push(entry);
  const url = new URL(handle.url);
  return {
    url,
    handle,
    gateway,
    connect: async (clientOptions = {}) => {
      const { token, capabilities } = clientOptions;
      const client = new Client({ name: 'in-process-http', version: '1.0.0' }, { capabilities });
      const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
      entry.clients.push(client);
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
      return client;
    },
  };
}

/** Closes every client, front door and gateway made since the last call (a front door closed already is fine). */
export async function closeInProcessHttp(): Promise<void> {
  for (const { handle, gateway, clients } of served.splice(0).reverse()) {
    await Promise.allSettled(clients.map((client) => client.close()));
    await handle.close();
    await gateway.close();
  }
}

/** Registers {@link closeInProcessHttp} after each test of the file, and returns {@link serveInProcess}. */
export function useInProcessHttp(): typeof serveInProcess {
  afterEach(closeInProcessHttp);
  return serveInProcess;
}
