/**
 * The observation seam: what the gateway core reports of the requests it forwards and of the changes made to it,
 * for whoever watches (the audit log and the limits of `src/observe/`; metrics, traces and a dashboard build on the
 * same events). The core owns the event source (`Gateway.observation`, built in `gateway/create-gateway.ts`);
 * watchers subscribe and get plain, immutable records.
 *
 * Cost: nothing is measured, read or allocated for an event nobody listens to. The call path checks one boolean
 * per request ({@link GatewayObservation.watchingCalls}) and only then reads clocks and builds records; a listener
 * set is copied only when it changes.
 *
 * Secrets never reach a record: a principal is a token's name, never the token; arguments are passed by reference
 * as the client sent them, and a listener that writes them anywhere redacts them first (see
 * `observe/redact.ts`).
 */

/** How a client reached the gateway: stdio, an HTTP session of the 2025 era, or a stateless 2026-07-28 request. */
export type FrontDoor = 'stdio' | 'http-legacy' | 'http-modern';

/**
 * The principal of a change no client asked for (a config reload: the file was saved, or SIGHUP), and the one a
 * session opened without a front door's identity gets (in-process use, tests).
 */
export const OPERATOR_PRINCIPAL = 'operator';

/** Who is on the other side of a session, as its front door established it. */
export interface SessionIdentity {
  /**
   * Who the client is: over HTTP the name of the bearer token it sent (`--auth-token name=token`; an unnamed
   * token's is `token-<index>`), `anonymous` when the front door has no tokens; `local` over stdio. Never a secret:
   * limits and audit records are keyed by it.
   */
  readonly principal: string;
  readonly frontDoor: FrontDoor;
  /**
   * The session the client knows: the HTTP `Mcp-Session-Id` of a 2025-era session, an id the gateway made for a
   * stdio connection; undefined for a stateless 2026-07-28 HTTP request, which belongs to no session.
   */
  readonly sessionId: string | undefined;
  /**
   * What the OAuth access token that established this identity said (undefined for a static token, stdio, or no
   * authentication): for per-principal access rules. The principal is then `<issuer name>:<subject>`.
   */
  readonly claims?: PrincipalClaims | undefined;
}

/**
 * The claims of an OAuth principal: which configured issuer vouched for it (its name in `auth.issuers`), its
 * subject (`sub`, or the client id of a client-credentials token), the client it used, its scopes, its groups or
 * roles (the issuer's `groupsClaim`), and when its token expires (ms since the epoch). Never a token.
 */
export interface PrincipalClaims {
  readonly issuer: string;
  readonly subject: string;
  readonly clientId: string | undefined;
  readonly scopes: readonly string[];
  readonly groups: readonly string[];
  readonly expiresAt: number | undefined;
}

/** A client's name and version, as it declared them (`initialize`, or a 2026-07-28 request's envelope). */
export interface ClientInfo {
  readonly name: string;
  readonly version: string;
}

/** What every record about one session carries. */
export interface SessionFields {
  /** See {@link SessionIdentity.principal}. */
  readonly principal: string;
  /** Undefined for a change no client asked for (a reload). */
  readonly frontDoor: FrontDoor | undefined;
  /** See {@link SessionIdentity.sessionId}. */
  readonly sessionId: string | undefined;
  /** Undefined until the client declared itself, and for a change no client asked for. */
  readonly client: ClientInfo | undefined;
}

/**
 * How a request that reached (or was meant to reach) a backend ended:
 * - `ok`: the backend answered with a result;
 * - `tool-error`: a tool result with `isError: true` (the tool ran and reported a failure);
 * - `error`: a JSON-RPC error of the backend, or a failure of the gateway (backend not ready, exited, filtered out);
 * - `refused`: a limit or the audit log kept it from running (see {@link CallEvent.limit}), or, with
 *   `audit.required`, its record could not be written and its result was withheld;
 * - `cancelled`: the client cancelled it or went away;
 * - `timeout`: the backend did not answer in time.
 */
export type CallOutcome = 'ok' | 'tool-error' | 'error' | 'refused' | 'cancelled' | 'timeout';

/**
 * How the request came to the backend: a backend tool called by its exposed name (or an MCP App's own name), through
 * `call_backend`, as a step of `route_pipeline`, or another forwarded request (`resources/read`, `prompts/get`,
 * `completion/complete`, resource subscriptions). A refused `tools/call` is `tool` whatever it named.
 */
export type CallRoute = 'tool' | 'call_backend' | 'pipeline' | 'request';

/**
 * One client request to one backend, reported once it has ended (and before its response is sent). A `tools/call`
 * of `route_pipeline` gives one event per step; one of `call_backend`, one event. A client request the limits
 * refused gives one event with outcome `refused`, whatever it named (a gateway tool too).
 */
export interface CallEvent extends SessionFields {
  readonly type: 'call';
  /** When the request started, in ms since the epoch (`Date.now()`). */
  readonly startedAt: number;
  /** How long it took until the backend's answer (or the failure), in ms, sub-millisecond precision. */
  readonly durationMs: number;
  /** The backend; undefined when a refused request named none (a gateway tool, an unknown name). */
  readonly server: string | undefined;
  /** The MCP method sent to the backend: `tools/call`, `resources/read`, `prompts/get`, `completion/complete`... */
  readonly method: string;
  /**
   * `tools/call`: the backend tool's own name (a refused call of a gateway tool: that tool's name); `prompts/get`:
   * the prompt's own name; otherwise undefined (a resource's URI is among the {@link arguments}).
   */
  readonly tool: string | undefined;
  readonly route: CallRoute;
  readonly outcome: CallOutcome;
  /**
   * The JSON-RPC error code of an `error`, `refused`, `cancelled` or `timeout` outcome: the backend's own code
   * when it answered with an error, else the gateway's (the one the client gets when the failure reaches it as an
   * error). Undefined for `ok` and `tool-error`.
   */
  readonly errorCode: number | undefined;
  /** For `refused`: which limit (`perPrincipal.callsPerMinute`, `perSession.callsInFlight`, `audit`...). */
  readonly limit: string | undefined;
  /**
   * What the client sent: a tool's or prompt's arguments, `{ uri }` of a resource request, a completion's params.
   * By reference, as received: never change it, and redact it before writing it anywhere.
   */
  readonly arguments: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A change to the gateway: `register`, `remove`, `restart` (a client's `register_server`, `remove_server`,
 * `restart_server`, or the dashboard's restart), `reload` (the config file applied again), `approve` and
 * `definition-changed` (reported by tool pinning through {@link GatewayObservation.reportChange}), `enable` and
 * `disable` (a backend started or stopped from the dashboard).
 */
export type ChangeAction =
  'register' | 'remove' | 'restart' | 'reload' | 'approve' | 'definition-changed' | 'enable' | 'disable';

/** One change to the gateway, reported once done (or failed), before the client that asked hears of it. */
export interface ChangeEvent extends SessionFields {
  readonly type: 'change';
  readonly action: ChangeAction;
  /** When the change started, in ms since the epoch. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** The backend it concerns; undefined for a reload. */
  readonly server: string | undefined;
  readonly outcome: 'ok' | 'error';
  /** The JSON-RPC code of the failure, when it failed. */
  readonly errorCode: number | undefined;
  /**
   * What else there is to say, never a secret: a reload's `{ reason, added, removed, restarted }` (server names),
   * the tool an approval concerns...
   */
  readonly detail: Readonly<Record<string, unknown>> | undefined;
}

/** A change reported from outside the core's own tools (see {@link GatewayObservation.reportChange}). */
export type ChangeReport = Omit<ChangeEvent, 'type' | keyof SessionFields> & Partial<SessionFields>;

/** A session opened or closed (an stdio connection, an HTTP session; not a stateless 2026-07-28 request). */
export interface SessionEvent extends SessionFields {
  readonly type: 'session';
  readonly action: 'opened' | 'closed';
  /** When, in ms since the epoch. */
  readonly at: number;
}

/**
 * Hears each {@link CallEvent}. It may return a promise: the response to the client waits for it (an audit log
 * hands its line to the file first). A rejection withholds the response: the client gets the rejection as a
 * JSON-RPC error (throw a `GatewayError`; an audit log that must not lose records refuses so). A listener that
 * only counts returns nothing and must be quick: it runs on the call path.
 */
export type CallListener = (event: CallEvent) => void | Promise<void>;
/** Hears each {@link ChangeEvent}; may return a promise, as a {@link CallListener} does. */
export type ChangeListener = (event: ChangeEvent) => void | Promise<void>;
/** Hears each {@link SessionEvent}. */
export type SessionListener = (event: SessionEvent) => void;

/** What a {@link CallGate} is asked about: one client request, before it runs. */
export interface AdmissionRequest {
  readonly principal: string;
  readonly sessionId: string | undefined;
  readonly frontDoor: FrontDoor;
  /** The client's method: `tools/call`, `resources/read`, `prompts/get`, `completion/complete`... */
  readonly method: string;
}

/**
 * A gate's answer: the request may run (`release()` once it has ended, exactly once), or it is refused with the
 * error the client gets (a `GatewayError` whose message says which limit, its value and when to retry) and the
 * limit's name for the {@link CallEvent}.
 */
export type Admission =
  | { readonly admitted: true; release(): void }
  | { readonly admitted: false; readonly limit: string; readonly error: Error };

/**
 * Decides whether a client request may run: every `tools/call` (gateway tools included: a pipeline or a
 * registration costs as much as a backend call), and every forwarded `resources/read`, `resources/subscribe`,
 * `resources/unsubscribe`, `prompts/get` and `completion/complete`. Asked once per client request, however many
 * backend requests it makes. Must answer at once: it runs on the call path.
 */
export interface CallGate {
  admit(request: AdmissionRequest): Admission;
}

/**
 * One client request as a tracer is told of it when it starts: a `tools/call`, `resources/read`, `prompts/get`,
 * `completion/complete`...
 */
export interface TracedRequest extends SessionIdentity {
  readonly method: string;
  /** `tools/call`: the name the client called; `prompts/get`: the prompt's name; otherwise undefined. */
  readonly name: string | undefined;
  /**
   * The request's `_meta` as the client sent it, by reference: a tracer reads its W3C trace context (`traceparent`,
   * `tracestate`) from it, nothing else.
   */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A span of a trace, as the core holds it: opaque but for these. The core makes one per client request (from the
 * {@link RequestTracer}), a child per pipeline step and per request to a backend (a hop), and ends each once.
 */
export interface TraceSpan {
  /** A child of this span: a pipeline step (`step`), or one request to a backend (`hop`). */
  child(kind: 'step' | 'hop', server: string | undefined, name: string | undefined): TraceSpan;
  /**
   * The `_meta` to send the backend with the request this span stands for: the caller's, its `traceparent` this
   * span's (its `tracestate` kept), so that the backend continues the trace under this hop.
   */
  outgoingMeta(meta: Readonly<Record<string, unknown>> | undefined): Record<string, unknown>;
  /** Ends the span; the JSON-RPC code of a failure, as in {@link CallEvent.errorCode}. */
  end(outcome: CallOutcome, errorCode: number | undefined): void;
}

/**
 * Starts the span of each client request (see {@link GatewayObservation.setTracer}). Must answer at once and never
 * throw: it runs on the call path.
 */
export interface RequestTracer {
  startRequest(request: TracedRequest): TraceSpan;
}

/**
 * The event source of one gateway (`Gateway.observation`). Subscribing returns the function that unsubscribes.
 * Listeners run in the order they subscribed. One that throws is logged and ignored (a watcher's bug never breaks a
 * call); only a returned promise's rejection withholds a response, and only the response of the request it was
 * told of.
 */
export interface GatewayObservation {
  /** Whether anyone hears calls: the call path builds no record otherwise. */
  readonly watchingCalls: boolean;
  onCall(listener: CallListener): () => void;
  onChange(listener: ChangeListener): () => void;
  onSession(listener: SessionListener): () => void;
  /** Whether a tracer is set: the call path starts no span otherwise. */
  readonly tracing: boolean;
  /**
   * Sets the one tracer that hears each client request start (metrics of calls in flight, traces); returns the
   * function that removes it. A second tracer replaces the first.
   */
  setTracer(tracer: RequestTracer): () => void;
  /** Adds a gate every client request must pass (see {@link CallGate}). */
  addGate(gate: CallGate): () => void;
  /**
   * Reports a change made outside the gateway's own tools (a reload; an approval by tool pinning): listeners hear
   * it like the rest. Without the session fields it is the {@link OPERATOR_PRINCIPAL}'s. Resolves once every
   * listener took it; rejects with the first listener's rejection.
   */
  reportChange(change: ChangeReport): Promise<void>;
}
