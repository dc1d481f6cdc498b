/**
 * One client connection: an SDK Server for everything but `tools/call` (initialize, lists, resources, prompts,
 * completion, logging), with `tools/call` served ahead of it by the fast path, and the session's state in the hub.
 */
import { Server } from '@modelcontextprotocol/server';
import type { Transport } from '@modelcontextprotocol/server';
import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import type { PipelineCatalog } from '../pipelines/pipeline-catalog.js';
import { IncomingToolCalls } from '../rpc/incoming-tool-calls.js';
import type { BackendDirectory } from '../shared/backend.js';
import type { ConfigStatus } from '../shared/config-status.js';
import type { RegistrationPolicy } from '../shared/registration-policy.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../version.js';
import { dispatchToolCall, type ToolCallScope } from './calls/dispatch-tool-call.js';
import type { ExposeMode } from './expose-mode.js';
import { registerForwarding } from './forwarding/register-forwarding.js';
import type { LiveCatalog } from './hub/live-catalog.js';
import type { SessionRouter } from './hub/session-router.js';
import type { SessionState } from './hub/session-state.js';
import { PassThroughResult, peerOf } from './server-channels.js';
import { describeTool, type DescriptionContext } from './tools/gateway-tool.js';
import { GATEWAY_TOOLS } from './tools/index.js';

/** What every session of one gateway shares. */
export interface SessionCore {
  readonly directory: BackendDirectory;
  readonly catalog: LiveCatalog;
  readonly router: SessionRouter;
  readonly pipelines: PipelineCatalog;
  readonly registration: RegistrationPolicy;
  readonly baseDir: string;
  /** What `tools/list` shows; a config reload may change it while sessions are open. */
  expose: ExposeMode;
  readonly defaultTimeoutMs: number;
  /** The config file in force, when the gateway runs from one. */
  readonly configStatus: () => ConfigStatus | undefined;
  readonly logger: Logger;
}

/** One open session. */
export interface GatewaySession {
  /** Ends the session: its calls in flight are cancelled and it hears no more changes. Idempotent. */
  close(): Promise<void>;
}

/** Sessions opened in this process, for their labels. */
let sessionCount = 0;

/** Opens a session on `transport`; resolves once the transport is connected (the client initializes next). */
export async function openSession(transport: Transport, core: SessionCore): Promise<GatewaySession> {
  const { catalog, router, logger } = core;
  // Capabilities must be declared before connecting: a session advertises what its backends can do when it opens.
  const advertised = catalog.currentCapabilities();
  const server = new Server(
    { name: GATEWAY_NAME, version: GATEWAY_VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        ...(advertised.resources ? { resources: { subscribe: true, listChanged: true } } : {}),
        ...(advertised.prompts ? { prompts: { listChanged: true } } : {}),
        ...(advertised.logging ? { logging: {} } : {}),
        ...(advertised.completions ? { completions: {} } : {}),
      },
      instructions: instructions(core.expose),
    },
  );
  const number = ++sessionCount;
  const session: SessionState = {
    get label() {
      const client = server.getClientVersion();
      return client ? `s${number} ${client.name}/${client.version}` : `s${number}`;
    },
    peer: peerOf(server),
    advertised,
    logLevel: undefined,
    subscriptions: new Set(),
    get listsBackendTools() {
      return core.expose === 'all';
    },
  };
  // What the transport could not take from the client (a line that is not JSON-RPC, a bad message) is the
  // client's problem, but worth saying: the client gets no answer to it.
  server.onerror = (error) =>
    logger.warn('could not read a message from the client', { error: plainMessage(error) });
  registerForwarding({ server, session, catalog, router, logger });
  const descriptions = describedBy(core);
  server.setRequestHandler('tools/list', () => ({
    tools: [
      ...GATEWAY_TOOLS.map((tool) => describeTool(tool, descriptions)),
      // Backend tools as they listed them, under their exposed name: schemas, annotations and all. In `gateway` mode
      // they are left out (search_tools finds them), which keeps this list small however many backends there are.
      ...(core.expose === 'all'
        ? [...catalog.tools().byName.values()].map((entry) => ({ ...entry.item, name: entry.exposedName }))
        : []),
    ],
  }));
  const scope: ToolCallScope = {
    catalog,
    router,
    session,
    toolContext: {
      directory: core.directory,
      pipelines: core.pipelines,
      baseDir: core.baseDir,
      registration: core.registration,
      defaultTimeoutMs: core.defaultTimeoutMs,
      configStatus: core.configStatus,
      nameConflicts: () => catalog.tools().conflicts,
      searchIndex: () => catalog.searchIndex(),
    },
    logger,
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      router.detach(session);
      await server.close();
    })();
    return closing;
  };
  // A transport that ends by itself (the client went away) ends the session too.
  server.onclose = () => void close();
  router.attach(session);
  try {
    await server.connect(
      new IncomingToolCalls(transport, {
        call: (params, caller) => dispatchToolCall(params, caller, scope),
        request: (request, options) => server.request(request, PassThroughResult, options),
        logger,
      }),
    );
  } catch (error) {
    router.detach(session);
    throw error;
  }
  return { close };
}

/** What the gateway tools' descriptions depend on. */
export function describedBy(core: SessionCore): DescriptionContext {
  return { pipelines: core.pipelines, directory: core.directory, defaultTimeoutMs: core.defaultTimeoutMs };
}

function instructions(expose: ExposeMode): string {
  const common =
    'This gateway fronts several MCP servers. list_servers shows them and their tools; search_tools finds the tools ' +
    'that do what you need (with their input schemas); call_backend calls a tool of one of them; register_server ' +
    'and remove_server change the set; restart_server starts a failed or stuck one again; route_pipeline runs ' +
    'multi-step workflows.';
  return expose === 'gateway'
    ? `${common} The backends' tools are not listed here: use search_tools to find one by what it does, then ` +
        'call it with call_backend {"server", "tool", "params"}.'
    : common;
}
