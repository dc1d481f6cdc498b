/**
 * The call path's side of the observation seam: admission of a client request by the gates, and the record of
 * each request to a backend. Nothing here runs, reads a clock or allocates unless a gate is set or a listener
 * listens (`ObservationHub.watchingCalls`).
 */
import { GatewayError } from '../../errors/gateway-error.js';
import { toForwardedError } from '../../errors/to-wire.js';
import type {
  Admission,
  CallEvent,
  CallOutcome,
  CallRoute,
  ChangeAction,
  SessionFields,
  TraceSpan,
} from '../../shared/observation.js';
import type { SessionState } from '../hub/session-state.js';

/** What one request to a backend is, for its record. */
export interface CallTarget {
  readonly method: string;
  readonly server: string | undefined;
  readonly tool: string | undefined;
  readonly route: CallRoute;
  readonly arguments: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A forwarded request (`resources/read`, `prompts/get`, `completion/complete`...) as its record names it: a prompt
 * by its own name, with its arguments; the others with their params (a resource's `{ uri }`), `_meta` left out.
 */
export function forwardedTarget(
  backend: { readonly name: string },
  request: { readonly method: string; readonly params?: Readonly<Record<string, unknown>> | undefined },
): CallTarget {
  const { _meta: _, ...params } = request.params ?? {};
  const prompt = request.method === 'prompts/get';
  return {
    method: request.method,
    server: backend.name,
    tool: prompt && typeof params.name === 'string' ? params.name : undefined,
    route: 'request',
    arguments: prompt ? (params.arguments as Readonly<Record<string, unknown>> | undefined) : params,
  };
}

/** The session's part of every record. */
export function sessionFields(session: SessionState): SessionFields {
  const { principal, frontDoor, sessionId } = session.identity;
  return { principal, frontDoor, sessionId, client: session.client() };
}

/**
 * A request to a backend being recorded: made only when someone listens (the caller checks
 * `session.observation.watchingCalls` first, so that nothing is allocated otherwise). Its report resolves once the listeners
 * took it, and rejects when one refused it (the response is then withheld: see `CallListener`).
 */
export class WatchedCall {
  private readonly startedAt = Date.now();
  private readonly started = performance.now();

  constructor(
    private readonly session: SessionState,
    private readonly target: CallTarget,
  ) {}

  /** The backend answered with a result (`isError` or not). */
  succeeded(isError: boolean): Promise<void> {
    return this.report(isError ? 'tool-error' : 'ok', undefined, undefined);
  }

  /** The request failed: the outcome and the JSON-RPC code come from the error. */
  failed(error: unknown): Promise<void> {
    const { outcome, limit } = classify(error);
    return this.report(outcome, toForwardedError(error).code, limit);
  }

  private report(
    outcome: CallOutcome,
    errorCode: number | undefined,
    limit: string | undefined,
  ): Promise<void> {
    const event: CallEvent = {
      type: 'call',
      ...sessionFields(this.session),
      startedAt: this.startedAt,
      durationMs: performance.now() - this.started,
      ...this.target,
      outcome,
      errorCode,
      limit,
    };
    return this.session.observation.emitCall(event);
  }
}

/**
 * Asks the gates whether a client request may run; the caller checks `session.observation.gated` first. Refused:
 * the refusal is recorded (outcome `refused`, once the listeners took it) and thrown, as the JSON-RPC error the
 * client gets.
 */
export async function admitRequest(
  session: SessionState,
  method: string,
  target: () => Omit<CallTarget, 'method'>,
): Promise<Admission & { readonly admitted: true }> {
  const { identity, observation } = session;
  const admission = observation.admit({
    principal: identity.principal,
    sessionId: identity.sessionId,
    frontDoor: identity.frontDoor,
    method,
  });
  if (admission.admitted) return admission;
  if (observation.watchingCalls) {
    const event: CallEvent = {
      type: 'call',
      ...sessionFields(session),
      startedAt: Date.now(),
      durationMs: 0,
      method,
      ...target(),
      outcome: 'refused',
      errorCode: toForwardedError(admission.error).code,
      limit: admission.limit,
    };
    // A listener's failure must not hide the refusal: the client hears of the limit either way.
    await observation.emitCall(event).catch(() => undefined);
  }
  throw admission.error;
}

/** How an error ends a request, and the limit that refused it, if one did. */
export function classify(error: unknown): { outcome: CallOutcome; limit: string | undefined } {
  if (!(error instanceof GatewayError)) return { outcome: 'error', limit: undefined };
  switch (error.code) {
    case 'timeout':
      return { outcome: 'timeout', limit: undefined };
    case 'cancelled':
      return { outcome: 'cancelled', limit: undefined };
    case 'limit_exceeded':
    case 'audit_unavailable':
      return { outcome: 'refused', limit: limitOf(error) };
    default:
      return { outcome: 'error', limit: undefined };
  }
}

function limitOf(error: GatewayError): string {
  const limit = (error.data as { limit?: unknown } | undefined)?.limit;
  return typeof limit === 'string' ? limit : error.code === 'audit_unavailable' ? 'audit' : 'unknown';
}

/** The gateway tools that change the gateway, and the change each makes. */
export const CHANGING_TOOLS: ReadonlyMap<string, ChangeAction> = new Map([
  ['register_server', 'register'],
  ['remove_server', 'remove'],
  ['restart_server', 'restart'],
]);

/** Whether `error` is a refusal (a limit's, the audit log's): it reaches the client as a JSON-RPC error, always. */
export function isRefusal(error: unknown): boolean {
  return (
    error instanceof GatewayError && (error.code === 'limit_exceeded' || error.code === 'audit_unavailable')
  );
}

/** A change a client asked for (a gateway tool), being recorded: made only when someone listens to changes. */
export class WatchedChange {
  private readonly startedAt = Date.now();
  private readonly started = performance.now();

  constructor(
    private readonly session: SessionState,
    private readonly action: ChangeAction,
    private readonly server: string | undefined,
  ) {}

  /** The change is done. */
  succeeded(): Promise<void> {
    return this.report('ok', undefined);
  }

  /** The change failed. */
  failed(error: unknown): Promise<void> {
    return this.report('error', toForwardedError(error).code);
  }

  private report(outcome: 'ok' | 'error', errorCode: number | undefined): Promise<void> {
    return this.session.observation.emitChange({
      type: 'change',
      ...sessionFields(this.session),
      action: this.action,
      startedAt: this.startedAt,
      durationMs: performance.now() - this.started,
      server: this.server,
      outcome,
      errorCode,
      detail: undefined,
    });
  }
}

/**
 * Starts the span of a client request: the caller checks `session.observation.tracing` first, so that nothing is
 * allocated when no tracer is set.
 */
export function startRequestSpan(
  session: SessionState,
  method: string,
  name: string | undefined,
  meta: Readonly<Record<string, unknown>> | undefined,
): TraceSpan | undefined {
  return session.observation.tracer?.startRequest({ ...session.identity, method, name, meta });
}

/** Ends `span` as `error` ended its request (outcome and JSON-RPC code as a {@link CallEvent} has them). */
export function endSpanWith(span: TraceSpan, error: unknown): void {
  span.end(classify(error).outcome, toForwardedError(error).code);
}

/** Ends `span` with the outcome of a result: `tool-error` for an `isError` one. */
export function endSpanWithResult(span: TraceSpan, result: object): void {
  span.end('isError' in result && result.isError === true ? 'tool-error' : 'ok', undefined);
}

/** `running`, with `span` ended by its outcome once it settles. */
export async function endingSpan<T extends object>(span: TraceSpan, running: Promise<T>): Promise<T> {
  try {
    const result = await running;
    endSpanWithResult(span, result);
    return result;
  } catch (error) {
    endSpanWith(span, error);
    throw error;
  }
}
