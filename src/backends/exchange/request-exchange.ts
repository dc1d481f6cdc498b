/**
 * One request to a ready backend, start to end: the timeout (restarted by progress, up to a hard maximum), the
 * caller's cancellation reaching the backend, progress relayed, and a failure described as a `GatewayError` naming
 * the backend, what was asked, and why.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  SERVER_INFO_META_KEY,
} from '@modelcontextprotocol/client';
import { prettifyError, type ZodType } from 'zod';

import { GatewayError } from '../../errors/gateway-error.js';
import { plainMessage, ProtocolError } from '../../errors/protocol-error.js';
import type { RpcMessage } from '../../rpc/outgoing-requests.js';
import type { BackendCallOptions } from '../../shared/backend.js';
import type { BackendConnection } from '../connection/connection.js';

/** A result check that parses with `schema` (for requests other than tool calls, whose results are passed on). */
export function parseWith<T>(schema: ZodType<T>): (result: Record<string, unknown>) => T {
  return (result) => {
    const parsed = schema.safeParse(result);
    if (!parsed.success) throw new Error(`invalid result: ${prettifyError(parsed.error)}`);
    return parsed.data;
  };
}

/** The backend side of an exchange. */
export interface ExchangeContext {
  readonly backend: string;
  readonly connection: BackendConnection;
  /** The call's timeout unless the caller gives its own. */
  readonly timeoutMs: number;
  /** A call that keeps reporting progress is still cut off after this long. */
  readonly maxCallMs: number;
  /** Whether the backend is being removed: a failure then says so rather than blaming the backend. */
  readonly isStopping: () => boolean;
}

/** What is asked, for messages: `weather.get_alerts`, or `weather resources/read`. */
export interface ExchangeLabel {
  readonly label: string;
  readonly tool?: string | undefined;
}

/**
 * Sends `request` and resolves with `check` of its result (a failure in `check` is the backend's error too).
 * Rejects with a `GatewayError`: `timeout`, `cancelled`, `backend_exited`, `backend_unavailable` (removed meanwhile)
 * or `backend_error` (whose `ProtocolError` cause is the backend's own JSON-RPC error, when it sent one).
 */
export async function exchange<T>(
  context: ExchangeContext,
  request: RpcMessage,
  check: (result: Record<string, unknown>) => T,
  options: BackendCallOptions,
  what: ExchangeLabel,
): Promise<T> {
  const { connection } = context;
  const where = { backend: context.backend, tool: what.tool };
  const timeoutMs = options.timeoutMs ?? (options.waits === true ? context.maxCallMs : context.timeoutMs);
  const callerSignal = options.signal;
  const cancelled = (): GatewayError => new GatewayError('cancelled', `${what.label} was cancelled`, where);
  if (callerSignal?.aborted) throw cancelled();
  // The caller's `_meta` goes along, but its progress token belongs to the caller's hop, not this one.
  const meta: Record<string, unknown> = options.meta === undefined ? {} : { ...options.meta };
  delete meta.progressToken;
  // A 2026-07-28 backend reads who is asking from each request: the gateway, its client.
  const era = connection.protocolEra;
  if (era.kind === 'modern') {
    Object.assign(meta, era.envelope);
    if (options.clientCapabilities) meta[CLIENT_CAPABILITIES_META_KEY] = options.clientCapabilities;
    if (options.logLevel === 'off') delete meta[LOG_LEVEL_META_KEY];
    else if (options.logLevel !== undefined) meta[LOG_LEVEL_META_KEY] = options.logLevel;
  }
  let token: string | undefined;
  let totalTimer: NodeJS.Timeout | undefined;
  const startedAt = Date.now();
  if (options.onProgress) {
    const relay = options.onProgress;
    token = connection.requests.routeProgress((progress) => {
      // Progress keeps a call alive, but not past the hard maximum: a timer needed only once progress comes.
      totalTimer ??= setTimeout(timedOut, Math.max(context.maxCallMs, timeoutMs) - (Date.now() - startedAt));
      idleTimer.refresh();
      relay(progress);
    });
    meta.progressToken = token;
  }
  const params = Object.keys(meta).length > 0 ? { ...request.params, _meta: meta } : request.params;
  const idleTimer = setTimeout(timedOut, timeoutMs);
  const sent = connection.requests.send({ method: request.method, params });
  // Why the gateway ended the call, when it did: that, not the backend's silence, is what the caller hears.
  let stoppedBecause: GatewayError | undefined;
  const stop = (reason: GatewayError): void => {
    stoppedBecause ??= reason;
    sent.cancel(reason);
  };
  function timedOut(): void {
    stop(new GatewayError('timeout', `${what.label} timed out after ${timeoutMs} ms`, where));
  }
  const onCallerAbort = (): void => stop(cancelled());
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const result = await sent.response;
    return check(era.kind === 'modern' ? fromModernResult(result) : result);
  } catch (error) {
    throw stoppedBecause ?? describeCallFailure(context, what, error);
  } finally {
    clearTimeout(idleTimer);
    clearTimeout(totalTimer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    if (token !== undefined) connection.requests.unrouteProgress(token);
  }
}

/**
 * A 2026-07-28 backend's result as the caller gets it: without what belongs to the hop (`resultType`, the backend's
 * own identity in `_meta`: the caller's server is the gateway). An `input_required` result stays as it is: the
 * caller answers it (see `input-rounds.ts`).
 */
function fromModernResult(result: Record<string, unknown>): Record<string, unknown> {
  if (result.resultType === 'input_required') return result;
  const { resultType: _resultType, _meta: meta, ...rest } = result;
  if (meta === undefined || typeof meta !== 'object' || meta === null) return rest;
  const { [SERVER_INFO_META_KEY]: _serverInfo, ...callerMeta } = meta as Record<string, unknown>;
  return Object.keys(callerMeta).length > 0 ? { ...rest, _meta: callerMeta } : rest;
}

function describeCallFailure(context: ExchangeContext, what: ExchangeLabel, error: unknown): GatewayError {
  const { backend, connection } = context;
  const where = { backend, tool: what.tool, cause: error };
  const stopping = context.isStopping();
  if (connection.closeReason !== undefined && !stopping) {
    return new GatewayError(
      'backend_exited',
      `${what.label} failed: backend "${backend}" ${connection.closeReason}`,
      where,
    );
  }
  if (stopping) {
    return new GatewayError(
      'backend_unavailable',
      `${what.label} failed: backend "${backend}" was removed`,
      where,
    );
  }
  // A ProtocolError cause is the backend's own answer: it goes on with it (see `backendRpcError`).
  const why = error instanceof ProtocolError ? error.message : plainMessage(error);
  return new GatewayError('backend_error', `${what.label} failed: ${why}`, where);
}
