/**
 * The connected sessions and the calls they have in flight, and so where whatever a backend sends on its own must
 * go: a request it asks (sampling, elicitation, roots) goes to the session whose call to that backend is in flight,
 * on that call's stream; a notification goes to the sessions it concerns; a change of the catalog goes to every
 * session whose lists changed.
 */
import type { LoggingLevel, ServerNotification, ServerRequest } from '@modelcontextprotocol/server';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../logger.js';
import type { CallerChannel } from '../../rpc/caller-channel.js';
import type { BackendMessage } from '../../shared/backend.js';
import { requirementOf, URL_ELICITATION } from './client-requirements.js';
import { ofPrincipal, recipientOf, sees, type Admits, type Wanted } from './request-recipient.js';
import type { InFlightCall, Recipient } from './request-recipient.js';
import { logLevelPasses } from './log-levels.js';
import type { SessionState } from './session-state.js';
import { EarlyTaskMessages } from '../tasks/early-task-messages.js';
import { taskMessageFor } from '../tasks/task-messages.js';
import { TaskOwners } from '../tasks/task-owners.js';
import { UrlElicitations } from './url-elicitations.js';

/** What changed, for the sessions to be told. */
export interface CatalogChange {
  /** The exposed backend tools (names, definitions). */
  readonly toolsChanged?: boolean;
  /** Which backends are ready: their prompts and resources may have come or gone. */
  readonly membershipChanged?: boolean;
  /** The gateway's own tool list (the pipelines `route_pipeline` describes). */
  readonly gatewayToolsChanged?: boolean;
  /** The prompts, or the resource templates, may differ (an item withheld or released: see src/pins/). */
  readonly promptsChanged?: boolean;
  readonly resourcesChanged?: boolean;
  /**
   * The servers the change of tools or membership concerns, when known: a session whose access rights show none of
   * them is not told of it. Undefined: every session is.
   */
  readonly servers?: ReadonlySet<string> | undefined;
}

/** A list whose change a watcher hears of (see {@link SessionRouter.watch}). */
export type ListChange = 'tools' | 'prompts' | 'resources';

interface Watcher {
  readonly listener: (change: ListChange) => void;
  readonly listsBackendTools: () => boolean;
}

/** Sessions, calls in flight, and the routing of what backends send. */
export class SessionRouter {
  private readonly elicitations = new UrlElicitations();
  private readonly sessions = new Set<SessionState>();
  private readonly inFlight = new Map<string, Set<InFlightCall>>();
  private readonly watchers = new Set<Watcher>();
  /** The tasks sessions created, and so where what backends send about them goes. */
  readonly tasks = new TaskOwners();
  private readonly earlyTaskMessages = new EarlyTaskMessages();

  /** @param released hears each session that detached (its subscriptions end); more than once is harmless. */
  constructor(
    private readonly logger: Logger,
    private readonly released: (session: SessionState) => void = () => undefined,
  ) {}

  /** Registers a connected session; it hears changes from now on. */
  attach(session: SessionState): void {
    this.sessions.add(session);
  }

  /** Forgets a session that closed. */
  detach(session: SessionState): void {
    this.sessions.delete(session);
    this.released(session);
    this.elicitations.forget(session);
    this.tasks.forget(session);
  }

  /**
   * Runs a call to `backend` on behalf of `session`, so that what the backend asks meanwhile (sampling,
   * elicitation, roots) and the log messages it sends reach that session, on the stream of that call.
   */
  async track<T>(
    backend: string,
    session: SessionState,
    caller: CallerChannel,
    run: () => Promise<T>,
  ): Promise<T> {
    const call: InFlightCall = { session, caller };
    const calls = this.inFlight.get(backend) ?? new Set();
    this.inFlight.set(backend, calls);
    calls.add(call);
    try {
      return await run();
    } catch (error) {
      this.elicitations.rememberRefusal(backend, error, session);
      throw error;
    } finally {
      calls.delete(call);
      if (calls.size === 0) this.inFlight.delete(backend);
    }
  }

  /**
   * Calls `listener` with each change of the lists a client may see in full (every backend tool, prompt and
   * resource), for clients that are not sessions: modern clients listening over HTTP. Returns the unsubscribe.
   */
  watch(listener: (change: ListChange) => void, listsBackendTools: () => boolean): () => void {
    const watcher: Watcher = { listener, listsBackendTools };
    this.watchers.add(watcher);
    return () => void this.watchers.delete(watcher);
  }

  /** Tells every session (and watcher) whose lists changed. */
  announce(change: CatalogChange): void {
    for (const { listener, listsBackendTools } of this.watchers) {
      if (change.gatewayToolsChanged || (change.toolsChanged && listsBackendTools())) listener('tools');
      if (change.membershipChanged || change.promptsChanged) listener('prompts');
      if (change.membershipChanged || change.resourcesChanged) listener('resources');
    }
    for (const session of this.sessions) {
      const { servers } = change;
      const concerned = servers === undefined || [...servers].some((server) => sees(session, server));
      const toolsChanged = change.toolsChanged === true && concerned;
      const membershipChanged = change.membershipChanged === true && concerned;
      // A session that lists only the gateway's tools has seen no change to its list when backend tools change.
      if (change.gatewayToolsChanged || (toolsChanged && session.listsBackendTools)) {
        this.send(session, { method: 'notifications/tools/list_changed' });
      }
      if ((membershipChanged || change.promptsChanged) && session.advertised.prompts) {
        this.send(session, { method: 'notifications/prompts/list_changed' });
      }
      if ((membershipChanged || change.resourcesChanged) && session.advertised.resources) {
        this.send(session, { method: 'notifications/resources/list_changed' });
      }
    }
  }

  /**
   * A request a backend sent to its client. It goes to the session whose call to that backend is in flight, on
   * that call's stream. Over stdio the request carries nothing that ties it to one call, so when calls from several
   * sessions are in flight, only the sessions whose client can answer it (declared what it needs, down to the
   * sub-capability: URL-mode elicitation, sampling with tools) count; with no call in flight, it goes to the only
   * session if there is one. Never to a guess, nor to a client that did not declare what it needs: the backend
   * gets an error instead. One of a principal's own connection (`principal`) goes to that principal's sessions only.
   */
  async routeRequest(
    backend: string,
    request: BackendMessage,
    signal: AbortSignal,
    principal?: string,
  ): Promise<Record<string, unknown>> {
    // A request of a task (its related-task `_meta`) goes to the session that created the task, under its own id.
    const found = taskMessageFor(this.tasks, backend, request);
    const forTask = found && ofPrincipal(found.task.session, principal) ? found : undefined;
    const asked = forTask?.message ?? request;
    const needed = requirementOf(asked);
    const able = (session: SessionState): boolean =>
      needed === undefined || needed.metBy(session.peer.clientCapabilities());
    const { session, call } = forTask
      ? this.ownerCall(backend, forTask.task.session)
      : recipientOf(backend, asked, {
          calls: [...(this.inFlight.get(backend) ?? [])],
          sessions: this.sessions,
          needed,
          able,
          principal,
        });
    if (needed && !able(session)) {
      throw new GatewayError(
        'client_lacks_capability',
        `backend "${backend}" asked the client for ${needed.asked} (${asked.method}), but the client did not ` +
          `declare it (capability ${needed.capability})`,
        { backend },
      );
    }
    if (needed === URL_ELICITATION) this.elicitations.rememberRequest(backend, asked, session);
    const message = { method: asked.method, params: asked.params } as ServerRequest;
    if (call) return call.caller.sendRequest(message, signal);
    return session.peer.request(message, signal);
  }

  /** The owner of a task, on the stream of its call to `backend` in flight (its `tasks/result`) when there is one. */
  private ownerCall(backend: string, session: SessionState): Recipient {
    const call = [...(this.inFlight.get(backend) ?? [])].findLast(
      (candidate) => candidate.session === session,
    );
    return { session, call };
  }

  /**
   * Records that `session` created the task `backendTaskId` on `backend` (see {@link TaskOwners.adopt}); what the
   * backend said of it before this is delivered, in order, once the caller has had the result that created it.
   */
  adoptTask(session: SessionState, backend: string, backendTaskId: string): string {
    const taskId = this.tasks.adopt(session, backend, backendTaskId);
    for (const message of this.earlyTaskMessages.take(backend, backendTaskId))
      setImmediate(() => this.routeNotification(backend, message));
    return taskId;
  }

  /** A notification a backend sent: to the sessions it concerns (of a principal's connection: its own only). */
  routeNotification(backend: string, notification: BackendMessage, principal?: string): void {
    const admits: Admits = (session) => ofPrincipal(session, principal);
    // About a task (its status, or a message of it): to the session that created it, under its own id.
    const forTask = taskMessageFor(this.tasks, backend, notification);
    if (forTask) {
      const { session } = forTask.task;
      if (this.sessions.has(session) && admits(session))
        this.send(session, forTask.message as ServerNotification);
      return;
    }
    // A status of a task not adopted yet (it came before the result that created it got through) waits for it.
    if (this.earlyTaskMessages.holdStatus(backend, notification)) return;
    switch (notification.method) {
      case 'notifications/message':
        this.forwardLog(backend, notification, admits);
        return;
      case 'notifications/resources/updated': {
        const uri = notification.params?.uri;
        for (const session of this.sessions) {
          if (typeof uri === 'string' && session.subscriptions.has(uri) && admits(session)) {
            this.send(session, notification as ServerNotification);
          }
        }
        return;
      }
      case 'notifications/elicitation/complete':
        this.completeElicitation(backend, notification, admits);
        return;
      case 'notifications/resources/list_changed':
      case 'notifications/prompts/list_changed': {
        const kind = notification.method.includes('resources') ? 'resources' : 'prompts';
        for (const session of this.sessions) {
          if (session.advertised[kind] && sees(session, backend) && admits(session))
            this.send(session, notification as ServerNotification);
        }
        return;
      }
      default:
        this.toCallersOrAll(backend, notification as ServerNotification, admits);
    }
  }

  /**
   * The end of a URL-mode elicitation: to the session that was asked (on the stream of its call to the backend
   * when one is in flight), if its client declared URL-mode elicitation; to no one else, even for an id the gateway
   * never passed on (a client ignores ids it does not know anyway).
   */
  private completeElicitation(backend: string, notification: BackendMessage, admits: Admits): void {
    const owner = this.elicitations.take(backend, notification);
    const able = owner && this.sessions.has(owner) && admits(owner);
    if (!owner || !able || !URL_ELICITATION.metBy(owner.peer.clientCapabilities())) {
      this.logger.debug('dropped an elicitation completion no connected client asked for', { backend });
      return;
    }
    const { call } = this.ownerCall(backend, owner);
    if (call) this.deliver(owner, () => call.caller.sendNotification(notification as ServerNotification));
    else this.send(owner, notification as ServerNotification);
  }

  /** A backend's log message, with the backend's name as `logger`, to the sessions that want that level. */
  private forwardLog(backend: string, notification: BackendMessage, admits: Admits): void {
    const params: Record<string, unknown> = { ...notification.params, logger: backend };
    const level = params.level as LoggingLevel | undefined;
    const wanted = (session: SessionState, call?: InFlightCall): boolean =>
      admits(session) && logLevelPasses(level, call?.caller.logLevel ?? session.logLevel);
    this.toCallersOrAll(backend, { method: 'notifications/message', params } as ServerNotification, wanted);
  }

  /** To the sessions with a call to `backend` in flight (on that call's stream), else to every session. */
  private toCallersOrAll(backend: string, notification: ServerNotification, wanted: Wanted): void {
    const calls = this.inFlight.get(backend);
    if (calls && calls.size > 0) {
      for (const call of calls) {
        if (wanted(call.session, call))
          this.deliver(call.session, () => call.caller.sendNotification(notification));
      }
      return;
    }
    // Not to a session that may not see the backend (its access rights): its log lines are its own business.
    for (const session of this.sessions) {
      if (wanted(session) && sees(session, backend)) this.send(session, notification);
    }
  }

  private send(session: SessionState, notification: ServerNotification): void {
    this.deliver(session, () => session.peer.notify(notification));
  }

  private deliver(session: SessionState, deliver: () => Promise<void>): void {
    deliver().catch((error: unknown) => {
      // A session that is closing or not yet initialized cannot take notifications; that is not an error.
      this.logger.debug('could not notify a session', {
        error: (error as Error).message,
        open: this.sessions.has(session),
      });
    });
  }
}
