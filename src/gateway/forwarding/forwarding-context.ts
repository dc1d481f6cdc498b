/**
 * What the forwarding handlers of one session share, and the helpers they all use: which backends have a
 * capability, a fan-out that lists from each of them, and forwarding one request with the caller's lifetime.
 */
import type { Server } from '@modelcontextprotocol/server';
import { toForwardedError } from '../../errors/to-wire.js';
import type { Logger } from '../../logger.js';
import type { Backend, InputRound } from '../../shared/backend.js';
import type { LiveCatalog } from '../hub/live-catalog.js';
import type { SessionRouter } from '../hub/session-router.js';
import type { SessionState } from '../hub/session-state.js';
import { requestRefusal } from '../access/request-access.js';
import {
  admitRequest,
  endSpanWith,
  forwardedTarget,
  recordAccessRefusal,
  startRequestSpan,
  WatchedCall,
} from '../calls/observe-call.js';
import { callerOf, type HandlerExtra } from '../server-channels.js';

/** One session's forwarding: its Server, its state, and the shared catalog and router. */
export interface ForwardingContext {
  readonly server: Server;
  readonly session: SessionState;
  readonly catalog: LiveCatalog;
  readonly router: SessionRouter;
  readonly logger: Logger;
}

/** A capability a backend may have, beyond tools. */
export type BackendCapability = 'resources' | 'prompts' | 'completions' | 'logging';

/** The ready backends that have `key`. */
export function backendsWith(context: ForwardingContext, key: BackendCapability): Backend[] {
  return context.catalog.directory
    .list()
    .filter((backend) => backend.state === 'ready' && backend.capabilities()?.[key]);
}

/** Asks every backend that has `key`, in parallel; a backend that fails is logged and left out. */
export async function fanOut<T>(
  context: ForwardingContext,
  key: 'resources' | 'prompts',
  ask: (backend: Backend) => Promise<T[]>,
): Promise<{ backend: Backend; items: T[] }[]> {
  const backends = backendsWith(context, key);
  const lists = await Promise.all(
    backends.map((backend) =>
      ask(backend).catch((error: unknown) => {
        context.logger.warn(`listing ${key} of "${backend.name}" failed`, {
          error: (error as Error).message,
        });
        return [] as T[];
      }),
    ),
  );
  return backends.map((backend, index) => ({ backend, items: lists[index] ?? [] }));
}

/** A request forwarded to a backend, as its record names it (see `CallEvent`). */
export interface ForwardedRequest {
  readonly method: string;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /** Whether it passes the gates; false for one of several backend requests a client request passed them for. */
  readonly gated?: boolean | undefined;
}

/**
 * Asks the gates once for a client request that makes several backend requests (`tasks/list`); undefined when no
 * gate is set. Refused: thrown, as the client's JSON-RPC error.
 */
export async function admitOnce(
  context: ForwardingContext,
  method: string,
): Promise<{ release(): void } | undefined> {
  const { session } = context;
  if (!session.observation.gated) return undefined;
  return admitRequest(session, method, () => ({
    server: undefined,
    tool: undefined,
    route: 'request',
    arguments: undefined,
  }));
}

/**
 * Runs a request to `backend` for the handler's caller: what the backend asks meanwhile reaches that caller, and
 * a failure reaches it as the backend's own error, or the gateway's naming the backend. It passes the gates first
 * (limits), and is recorded before the caller hears its outcome (see `calls/observe-call.ts`).
 */
export async function forwardRequest<T>(
  context: ForwardingContext,
  backend: Backend,
  extra: HandlerExtra,
  run: (meta: Readonly<Record<string, unknown>> | undefined) => Promise<T>,
  request: ForwardedRequest,
): Promise<T> {
  const { session } = context;
  const meta = request.params?._meta as Readonly<Record<string, unknown>> | undefined;
  // Traced: the client request's span, and the backend request's (a hop) under it, whose id the backend gets.
  const span = session.observation.tracing
    ? startRequestSpan(session, request.method, promptName(request), meta)
    : undefined;
  const hop = span?.child('hop', backend.name, promptName(request));
  try {
    // The access rules first: a refused request takes nothing from the limits.
    const refused = requestRefusal(session.access, backend.name, request);
    if (refused) {
      await recordAccessRefusal(session, forwardedTarget(backend, request), refused);
      throw refused;
    }
    const admission =
      session.observation.gated && request.gated !== false
        ? await admitRequest(session, request.method, () => forwardedTarget(backend, request))
        : undefined;
    const watched = session.observation.watchingCalls
      ? new WatchedCall(session, forwardedTarget(backend, request))
      : undefined;
    let result: T;
    try {
      result = await context.router.track(backend.name, context.session, callerOf(extra), () =>
        run(hop ? hop.outgoingMeta(meta) : meta),
      );
    } catch (error) {
      if (hop) endSpanWith(hop, error);
      if (watched) await watched.failed(error);
      throw toForwardedError(error);
    } finally {
      admission?.release();
    }
    hop?.end('ok', undefined);
    if (watched) await watched.succeeded(false);
    span?.end('ok', undefined);
    return result;
  } catch (error) {
    if (span) endSpanWith(span, error);
    throw error;
  }
}

/** The prompt a `prompts/get` names, for its span. */
function promptName(request: ForwardedRequest): string | undefined {
  const name = request.method === 'prompts/get' ? request.params?.name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/**
 * A handler whose failures reach the client as the gateway maps them. The SDK answers any error without a numeric
 * code with -32603; the gateway's own refusals (no backend for a URI, no such prompt) have codes of their own.
 */
export function mappingErrors<A extends unknown[], R>(
  handler: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      throw toForwardedError(error);
    }
  };
}

/** Every page of a paginated list, as `principal` sees it (a backend that connects per principal lists its own). */
export async function paginate<P extends { nextCursor?: string | undefined }, T>(
  backend: Backend,
  method: string,
  schema: Parameters<Backend['request']>[1],
  items: (page: P) => T[],
  principal?: string,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = (await backend.request(
      cursor === undefined ? { method } : { method, params: { cursor } },
      schema,
      { principal },
    )) as P;
    all.push(...items(page));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return all;
}

/**
 * For a request of a 2026-07-28 client (it carries the envelope): what its retry carries for the backend that asked
 * for input, and so that a backend's `input_required` comes back to it as it is (see `BackendCallOptions`).
 */
export function inputRoundOf(extra: HandlerExtra): InputRound | undefined {
  if (extra.mcpReq.envelope === undefined) return undefined;
  const state = extra.mcpReq.requestState<unknown>();
  return {
    inputResponses: extra.mcpReq.inputResponses,
    requestState: typeof state === 'string' ? state : undefined,
  };
}
