/**
 * What every client connection shares: the merged catalog, the connected sessions, and the calls in flight. The
 * hub tells every session when the catalog changes, routes what a backend asks on its own (sampling, elicitation,
 * roots) to the session whose call is in flight, and passes backend notifications to the sessions they concern.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  type LoggingLevel,
  type Prompt,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { ProtocolError } from '../errors.js';
import type { Logger } from '../logger.js';
import { buildToolCatalog, exposeNames, type ExposedSet } from './catalog.js';
import { ToolSearchIndex } from './tool-search-index.js';
import type { UpstreamDirectory, UpstreamMessage } from './upstream.js';

/** What a session advertised in its `initialize` answer, beyond tools. */
export interface AdvertisedCapabilities {
  readonly resources: boolean;
  readonly prompts: boolean;
  readonly logging: boolean;
  readonly completions: boolean;
}

/** One connected client. */
export interface SessionState {
  readonly server: Server;
  readonly advertised: AdvertisedCapabilities;
  /** Set by `logging/setLevel`; backend log messages below it are not sent to this session. */
  logLevel: LoggingLevel | undefined;
  /** Resource URIs this session subscribed to. */
  readonly subscriptions: Set<string>;
  /**
   * Whether this session's `tools/list` shows backend tools (expose mode `all`). A session that shows only the
   * gateway's own tools is not told when backend tools change: its list has not.
   */
  readonly listsBackendTools: boolean;
}

type HandlerExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The client side of one call in flight: what the hub needs to reach the caller on that call's stream. */
export interface CallerChannel {
  /** Aborted when the caller cancels the call or goes away. */
  readonly signal: AbortSignal;
  /** Sends the caller a request (sampling, elicitation, roots) tied to the call; resolves with its result. */
  sendRequest(request: ServerRequest, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Sends the caller a notification tied to the call (progress, log messages). */
  sendNotification(notification: ServerNotification): Promise<void>;
}

/** The channel of a request served by the SDK Server's handlers. */
export function callerOf(extra: HandlerExtra): CallerChannel {
  return {
    signal: extra.signal,
    sendRequest: (request, signal) => extra.sendRequest(request, PassThroughResult, { signal }),
    sendNotification: (notification) => extra.sendNotification(notification),
  };
}

interface InFlightCall {
  readonly session: SessionState;
  readonly caller: CallerChannel;
}

const LOG_SEVERITY: Readonly<Record<LoggingLevel, number>> = {
  debug: 0,
  info: 1,
  notice: 2,
  warning: 3,
  error: 4,
  critical: 5,
  alert: 6,
  emergency: 7,
};

/** Which client capability each request a backend may send needs. */
const REQUIRED_CLIENT_CAPABILITY: Readonly<Record<string, 'sampling' | 'elicitation' | 'roots'>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** Results of requests passed up to a client come back unchanged: no schema but "an object". */
export const PassThroughResult = z.looseObject({});

/** Shared by every gateway instance of one process. */
export class GatewayHub {
  private readonly sessions = new Set<SessionState>();
  private readonly inFlight = new Map<string, Set<InFlightCall>>();
  private catalog: ExposedSet<Tool> | undefined;
  private searchIndexCache: ToolSearchIndex | undefined;
  private toolSignature = '';
  private readySignature = '';
  private promptIndex: ExposedSet<Prompt> = { byName: new Map(), conflicts: [] };
  /** Which backend listed each resource URI and template (by backend name), as last listed: routes reads. */
  readonly resourceOwners = { uris: new Map<string, string>(), templates: new Map<string, string>() };
  private readonly onChanged = (): void => this.catalogChanged();

  constructor(
    readonly directory: UpstreamDirectory,
    private readonly logger: Logger,
    /** Names backends may not take: the gateway's own tools. */
    private readonly reservedNames: ReadonlySet<string>,
  ) {
    directory.on('changed', this.onChanged);
    directory.setUpwardHandler({
      request: (server, request, signal) => this.routeRequest(server, request, signal),
      notification: (server, notification) => this.routeNotification(server, notification),
    });
    this.toolSignature = signatureOf(this.tools());
    this.readySignature = this.readyNames();
  }

  /** The backend tools clients see, by exposed name. */
  tools(): ExposedSet<Tool> {
    this.catalog ??= buildToolCatalog(this.directory.list(), this.reservedNames);
    return this.catalog;
  }

  /** The search index over the exposed backend tools, built on first use after the tools last changed. */
  searchIndex(): ToolSearchIndex {
    this.searchIndexCache ??= ToolSearchIndex.build(
      [...this.tools().byName.values()].map((entry) => ({
        server: entry.upstream.name,
        serverDescription: entry.upstream.info().description,
        exposedName: entry.exposedName,
        tool: entry.item,
      })),
    );
    return this.searchIndexCache;
  }

  /** The backend prompts as last listed, by exposed name. */
  prompts(): ExposedSet<Prompt> {
    return this.promptIndex;
  }

  /** Replaces the prompt index after a `prompts/list` fan-out. */
  setPrompts(entries: Parameters<typeof exposeNames<Prompt>>[0]): ExposedSet<Prompt> {
    this.promptIndex = exposeNames(entries, new Set());
    return this.promptIndex;
  }

  /** What the backends can do now, for a new session's capabilities. */
  currentCapabilities(): AdvertisedCapabilities {
    const all = this.directory.list().map((upstream) => upstream.capabilities() ?? {});
    return {
      resources: all.some((capabilities) => capabilities.resources),
      prompts: all.some((capabilities) => capabilities.prompts),
      logging: all.some((capabilities) => capabilities.logging),
      completions: all.some((capabilities) => capabilities.completions),
    };
  }

  /** Registers a connected session; it hears list changes from now on. */
  attach(
    server: Server,
    advertised: AdvertisedCapabilities,
    options: { readonly listsBackendTools?: boolean } = {},
  ): SessionState {
    const session: SessionState = {
      server,
      advertised,
      logLevel: undefined,
      subscriptions: new Set(),
      listsBackendTools: options.listsBackendTools ?? true,
    };
    this.sessions.add(session);
    return session;
  }

  /** Forgets a session that closed. */
  detach(session: SessionState): void {
    this.sessions.delete(session);
  }

  /** Number of sessions attached. */
  sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Runs a call to backend `server` on behalf of `session`, so that what the backend asks meanwhile (sampling,
   * elicitation, roots) and the log messages it sends reach that session, on the stream of that call.
   */
  async track<T>(
    server: string,
    session: SessionState,
    caller: CallerChannel,
    run: () => Promise<T>,
  ): Promise<T> {
    const call: InFlightCall = { session, caller };
    let calls = this.inFlight.get(server);
    if (!calls) {
      calls = new Set();
      this.inFlight.set(server, calls);
    }
    calls.add(call);
    try {
      return await run();
    } finally {
      calls.delete(call);
      if (calls.size === 0) this.inFlight.delete(server);
    }
  }

  /** Stops listening to the directory. */
  close(): void {
    this.directory.off('changed', this.onChanged);
  }

  private catalogChanged(): void {
    this.catalog = undefined;
    const toolSignature = signatureOf(this.tools());
    const readySignature = this.readyNames();
    const toolsChanged = toolSignature !== this.toolSignature;
    const membershipChanged = readySignature !== this.readySignature;
    this.toolSignature = toolSignature;
    this.readySignature = readySignature;
    if (toolsChanged) {
      this.searchIndexCache = undefined;
      for (const conflict of this.tools().conflicts) {
        this.logger.warn(
          `tool "${conflict.name}" of "${conflict.server}" is exposed as "${conflict.exposedAs}": its name is taken by ${conflict.conflictsWith}`,
        );
      }
    }
    for (const session of this.sessions) {
      // A session that lists only the gateway's tools has seen no change to its list.
      if (toolsChanged && session.listsBackendTools) {
        this.send(session, () => session.server.sendToolListChanged());
      }
      if (membershipChanged && session.advertised.prompts)
        this.send(session, () => session.server.sendPromptListChanged());
      if (membershipChanged && session.advertised.resources) {
        this.send(session, () => session.server.sendResourceListChanged());
      }
    }
  }

  private readyNames(): string {
    return this.directory
      .list()
      .filter((upstream) => upstream.state === 'ready')
      .map((upstream) => upstream.name)
      .join('\n');
  }

  /**
   * A request a backend sent to its client. It goes to the session whose call to that backend is in flight, on
   * that call's stream. Over stdio the request carries nothing that ties it to one call, so when calls from several
   * sessions are in flight, only the sessions whose client can answer it (has the capability) count; with no call
   * in flight, it goes to the only session if there is one. Never to a guess: the backend gets an error instead.
   */
  private async routeRequest(
    server: string,
    request: UpstreamMessage,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const needed = REQUIRED_CLIENT_CAPABILITY[request.method];
    const able = (session: SessionState): boolean =>
      needed === undefined || session.server.getClientCapabilities()?.[needed] !== undefined;
    const calls = [...(this.inFlight.get(server) ?? [])];
    let candidates = calls;
    if (new Set(calls.map((call) => call.session)).size > 1)
      candidates = calls.filter((call) => able(call.session));
    const sessions = new Set(candidates.map((call) => call.session));
    let session: SessionState | undefined;
    let call: InFlightCall | undefined;
    if (sessions.size === 1) {
      call = candidates.at(-1);
      session = call?.session;
    } else if (calls.length === 0 && this.sessions.size === 1) {
      session = [...this.sessions][0];
    }
    if (!session) {
      const reason =
        sessions.size > 1
          ? `calls from ${sessions.size} clients to "${server}" are in flight and the request does not say which it belongs to`
          : calls.length > 0
            ? `no client with a call in flight to "${server}" supports ${needed ?? request.method}`
            : 'no client is connected to answer it';
      throw new ProtocolError(
        ErrorCode.InternalError,
        `the gateway cannot pass on ${request.method}: ${reason}`,
      );
    }
    if (!able(session)) {
      throw new ProtocolError(
        ErrorCode.InvalidRequest,
        `the client does not support ${needed} (${request.method})`,
      );
    }
    const message = { method: request.method, params: request.params } as ServerRequest;
    if (call) return call.caller.sendRequest(message, signal);
    return session.server.request(message, PassThroughResult, { signal });
  }

  private routeNotification(server: string, notification: UpstreamMessage): void {
    switch (notification.method) {
      case 'notifications/message':
        this.forwardLog(server, notification);
        return;
      case 'notifications/resources/updated': {
        const uri = notification.params?.uri;
        for (const session of this.sessions) {
          if (typeof uri === 'string' && session.subscriptions.has(uri)) {
            this.send(session, () => session.server.notification(notification));
          }
        }
        return;
      }
      case 'notifications/resources/list_changed':
      case 'notifications/prompts/list_changed': {
        const kind = notification.method.includes('resources') ? 'resources' : 'prompts';
        for (const session of this.sessions) {
          if (session.advertised[kind]) {
            this.send(session, () => session.server.notification(notification));
          }
        }
        return;
      }
      default:
        this.toCallersOrAll(server, notification as ServerNotification);
    }
  }

  /** A backend's log message, with the backend's name as `logger`, to the sessions that want that level. */
  private forwardLog(server: string, notification: UpstreamMessage): void {
    const params: Record<string, unknown> = { ...notification.params, logger: server };
    const level = params.level as LoggingLevel | undefined;
    const wanted = (session: SessionState): boolean =>
      session.logLevel === undefined ||
      level === undefined ||
      LOG_SEVERITY[level] >= LOG_SEVERITY[session.logLevel];
    this.toCallersOrAll(server, { method: 'notifications/message', params } as ServerNotification, wanted);
  }

  /** To the sessions with a call to `server` in flight (on that call's stream), else to every session. */
  private toCallersOrAll(
    server: string,
    notification: ServerNotification,
    wanted: (session: SessionState) => boolean = () => true,
  ): void {
    const calls = this.inFlight.get(server);
    if (calls && calls.size > 0) {
      for (const call of calls) {
        if (wanted(call.session)) this.send(call.session, () => call.caller.sendNotification(notification));
      }
      return;
    }
    for (const session of this.sessions) {
      if (wanted(session)) this.send(session, () => session.server.notification(notification));
    }
  }

  private send(session: SessionState, deliver: () => Promise<void>): void {
    deliver().catch((error: unknown) => {
      // A session that is closing or not yet initialized cannot take notifications; that is not an error.
      this.logger.debug('could not notify a session', {
        error: (error as Error).message,
        open: this.sessions.has(session),
      });
    });
  }
}

function signatureOf(catalog: ExposedSet<Tool>): string {
  return JSON.stringify([...catalog.byName.values()].map((entry) => [entry.exposedName, entry.item]));
}
