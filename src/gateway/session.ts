/**
 * One client connection (or, in the modern era over HTTP, one request): an SDK Server for everything (lists,
 * resources, prompts, completion, logging, and in the modern era `tools/call`), with a legacy session's `tools/call`
 * served ahead of it by the fast path, and the session's state in the hub.
 */
import { randomUUID } from 'node:crypto';

import { CLIENT_CAPABILITIES_META_KEY, Server, type CallToolResult } from '@modelcontextprotocol/server';
import type { ClientCapabilities, Transport } from '@modelcontextprotocol/server';
import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import type { PipelineCatalog } from '../pipelines/pipeline-catalog.js';
import { IncomingToolCalls } from '../rpc/incoming-tool-calls.js';
import { readToolCallParams } from '../rpc/tool-call-request.js';
import type { BackendDirectory } from '../shared/backend.js';
import type { ConfigStatus } from '../shared/config-status.js';
import type { SessionEvent, SessionIdentity } from '../shared/observation.js';
import type { RegistrationPolicy } from '../shared/registration-policy.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../version.js';
import { dispatchToolCall, type ToolCallScope } from './calls/dispatch-tool-call.js';
import type { InputBridge } from './calls/input-bridge.js';
import type { ExposeMode } from './expose-mode.js';
import type { ObservationHub } from './observation-hub.js';
import { registerForwarding } from './forwarding/register-forwarding.js';
import type { LiveCatalog } from './hub/live-catalog.js';
import type { SessionRouter } from './hub/session-router.js';
import type { SessionState } from './hub/session-state.js';
import { PassThroughResult, peerOf } from './server-channels.js';
import { mappingErrors } from './forwarding/forwarding-context.js';
import { describeTool, type DescriptionContext } from './tools/gateway-tool.js';
import { TASKS_CAPABILITY } from './tasks/task-handlers.js';
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
  /** The calls of 2026-07-28 clients waiting for their answers. */
  readonly inputBridge: InputBridge;
  /** The config file in force, when the gateway runs from one. */
  readonly configStatus: () => ConfigStatus | undefined;
  /** The gateway's event source (see `shared/observation.ts`). */
  readonly observation: ObservationHub;
  readonly logger: Logger;
}

/** One open session. */
export interface GatewaySession {
  /** Ends the session: its calls in flight are cancelled and it hears no more changes. Idempotent. */
  close(): Promise<void>;
}

/**
 * The protocol era a session serves: `legacy` (2024-11-05 to 2025-11-25, opened by `initialize`) or `modern`
 * (2026-07-28: no handshake, every request carries its version, client info and capabilities).
 */
export type SessionEra = 'legacy' | 'modern';

/** How a session is served. */
export interface SessionOptions {
  readonly era: SessionEra;
  /**
   * Whether the session hears the gateway's changes (list changes, resource updates, log messages) on its own
   * stream: a connection does; a modern HTTP request does not (its client listens with `subscriptions/listen`).
   */
  readonly hearsChanges: boolean;
  /**
   * Who the client is, as the front door established it. Default: a local client (`local`, as over stdio), with an
   * id of its own.
   */
  readonly identity?: SessionIdentity | undefined;
}

/** Sessions opened in this process, for their labels. */
let sessionCount = 0;

/**
 * The MCP server of one session, to connect to a transport once: the SDK's serving entries (`serveStdio`,
 * `createMcpHandler`) connect it themselves. Connecting puts the fast path in front of it (legacy era) and attaches
 * the session to the router; closing detaches it.
 */
export class SessionServer extends Server {
  private readonly session: SessionState;
  private readonly scope: ToolCallScope;
  /** The capabilities the last request of a 2026-07-28 client declared. */
  private envelopeCapabilities: ClientCapabilities | undefined;
  private readonly identity: SessionIdentity;
  /** Whether the session was reported opened and not yet closed. */
  private reportedOpen = false;

  /** `onClose`: called once the server is closed, by the client or by the gateway. */
  constructor(
    private readonly core: SessionCore,
    private readonly options: SessionOptions,
    private readonly onClose: () => void = () => undefined,
  ) {
    const { catalog, logger } = core;
    const modern = options.era === 'modern';
    // Capabilities are declared before connecting. A legacy session advertises what its backends can do when it
    // opens; a modern client may keep a `server/discover` answer for long (and the answer of a stdio probe is
    // given before any backend has started), so a modern one advertises everything the gateway can route.
    const advertised = modern
      ? { resources: true, prompts: true, logging: true, completions: true, tasks: false }
      : catalog.currentCapabilities();
    super(
      { name: GATEWAY_NAME, version: GATEWAY_VERSION },
      {
        capabilities: {
          tools: { listChanged: true },
          ...(advertised.resources
            ? { resources: modern ? { listChanged: true } : { subscribe: true, listChanged: true } }
            : {}),
          ...(advertised.prompts ? { prompts: { listChanged: true } } : {}),
          ...(advertised.logging ? { logging: {} } : {}),
          ...(advertised.completions ? { completions: {} } : {}),
          ...(advertised.tasks ? { tasks: TASKS_CAPABILITY } : {}),
        },
        instructions: instructions(core.expose),
        // A retry of a 2026-07-28 call that waited for the client's answers carries the state the bridge sealed.
        ...(modern ? { requestState: { verify: (state, ctx) => core.inputBridge.verify(state, ctx) } } : {}),
      },
    );
    const number = ++sessionCount;
    const server = this as Server;
    const peer = peerOf(server);
    this.identity = options.identity ?? { principal: 'local', frontDoor: 'stdio', sessionId: randomUUID() };
    this.session = {
      get label() {
        const client = server.getClientVersion();
        return client ? `s${number} ${client.name}/${client.version}` : `s${number} ${options.era}`;
      },
      // A 2026-07-28 client says what it can do in each request, not once.
      peer: modern ? { ...peer, clientCapabilities: () => this.envelopeCapabilities } : peer,
      advertised,
      // A 2026-07-28 client hears log messages only during the requests that ask (see `CallerChannel.logLevel`).
      logLevel: modern ? 'off' : undefined,
      subscriptions: new Set(),
      get listsBackendTools() {
        return core.expose === 'all';
      },
      identity: this.identity,
      client: () => server.getClientVersion(),
      observation: core.observation,
    };
    // What the transport could not take from the client (a line that is not JSON-RPC, a bad message) is the
    // client's problem, but worth saying: the client gets no answer to it.
    this.onerror = (error) =>
      logger.warn('could not read a message from the client', { error: plainMessage(error) });
    registerForwarding({ server, session: this.session, catalog, router: core.router, logger });
    const descriptions = describedBy(core);
    this.setRequestHandler('tools/list', () => ({
      tools: [
        ...GATEWAY_TOOLS.map((tool) => describeTool(tool, descriptions)),
        // Backend tools as they listed them, under their exposed name: schemas, annotations and all. In `gateway`
        // mode they are left out (search_tools finds them), which keeps this list small however many backends.
        ...(core.expose === 'all'
          ? [...catalog.tools().byName.values()].map((entry) => ({ ...entry.item, name: entry.exposedName }))
          : []),
      ],
    }));
    this.scope = {
      catalog,
      router: core.router,
      session: this.session,
      toolContext: {
        directory: core.directory,
        pipelines: core.pipelines,
        baseDir: core.baseDir,
        registration: core.registration,
        defaultTimeoutMs: core.defaultTimeoutMs,
        configStatus: core.configStatus,
        nameConflicts: () => catalog.tools().conflicts,
        searchIndex: () => catalog.searchIndex(),
        withheldTool: (server, tool) => catalog.pins.refusal(server, 'tool', tool),
        pinChanges: (server) => catalog.pins.changesOf(server),
      },
      logger,
    };
    // Modern requests carry the envelope the SDK checks and results the SDK encodes for their revision, so they
    // are served by the SDK; the fast path serves the legacy era's calls ahead of the Server (see connect).
    // What a backend asks meanwhile (elicitation, sampling, roots) reaches such a client as `input_required`
    // (see calls/input-bridge.ts).
    if (modern) {
      this.setRequestHandler(
        'tools/call',
        mappingErrors((request, ctx) => {
          const envelope = ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined;
          this.envelopeCapabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as
            ClientCapabilities | undefined;
          // 2026-07-28 has no `task` parameter (tasks are an extension there): the answer is the tool's result.
          const { task: _task, ...params } = readToolCallParams(request.params);
          return core.inputBridge.serve(
            ctx,
            (caller, round) => dispatchToolCall(params, caller, this.scope, round) as Promise<CallToolResult>,
          );
        }),
      );
    }
  }

  override async connect(transport: Transport): Promise<void> {
    const { router, logger } = this.core;
    // A transport that ends by itself (the client went away) ends the session too.
    this.onclose = () => {
      router.detach(this.session);
      this.reportSession('closed');
      this.onClose();
    };
    if (this.options.hearsChanges) router.attach(this.session);
    this.reportSession('opened');
    try {
      await super.connect(
        this.options.era === 'modern'
          ? transport
          : new IncomingToolCalls(transport, {
              call: (params, caller) => dispatchToolCall(params, caller, this.scope),
              request: (request, options) => this.request(request, PassThroughResult, options),
              logger,
            }),
      );
    } catch (error) {
      router.detach(this.session);
      this.reportSession('closed');
      throw error;
    }
  }

  override async close(): Promise<void> {
    this.core.router.detach(this.session);
    try {
      await super.close();
    } finally {
      this.reportSession('closed');
      this.onClose();
    }
  }

  /** Tells the session listeners, once each way; a stateless modern HTTP request is no session. */
  private reportSession(action: SessionEvent['action']): void {
    const { observation } = this.core;
    if (this.identity.frontDoor === 'http-modern' || this.reportedOpen === (action === 'opened')) return;
    this.reportedOpen = action === 'opened';
    if (!observation.watchingSessions) return;
    const { principal, frontDoor, sessionId } = this.identity;
    const client = this.getClientVersion();
    observation.emitSession({
      type: 'session',
      action,
      at: Date.now(),
      principal,
      frontDoor,
      sessionId,
      client,
    });
  }
}

/** Opens a legacy session on `transport`; resolves once the transport is connected (the client initializes next). */
export async function openSession(
  transport: Transport,
  core: SessionCore,
  identity?: SessionIdentity,
): Promise<GatewaySession> {
  const server = new SessionServer(core, { era: 'legacy', hearsChanges: true, identity });
  await server.connect(transport);
  let closing: Promise<void> | undefined;
  return {
    close: () => {
      closing ??= server.close();
      return closing;
    },
  };
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
