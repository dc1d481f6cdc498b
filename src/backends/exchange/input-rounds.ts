/**
 * A request to a 2026-07-28 backend that answers `input_required`: the backend needs the client to answer something
 * (elicitation, sampling, roots) before it can complete. The gateway asks the caller's client each embedded request
 * (as a 2025 request on the session of the call in flight, or as the gateway's own `input_required` to a 2026-07-28
 * client), then sends the request again with the answers and the backend's `requestState`, until it completes.
 */
import { GatewayError } from '../../errors/gateway-error.js';
import type { RpcMessage } from '../../rpc/outgoing-requests.js';
import type { BackendCallOptions, BackendMessage } from '../../shared/backend.js';
import { exchange, type ExchangeContext, type ExchangeLabel } from './request-exchange.js';

/** Rounds after which a backend that keeps asking is given up on. */
export const MAX_INPUT_ROUNDS = 8;

/** Asks the client of the call in flight a question of the backend's; resolves with the client's answer. */
export type AskClient = (request: BackendMessage, signal: AbortSignal) => Promise<Record<string, unknown>>;

type Round<T> = { readonly done: T } | { readonly input: Record<string, unknown> };

/** Runs `request` as `exchange` does, answering the backend's `input_required` rounds with `askClient`. */
export async function exchangeInRounds<T>(
  context: ExchangeContext,
  askClient: AskClient,
  request: RpcMessage,
  check: (result: Record<string, unknown>) => T,
  options: BackendCallOptions,
  what: ExchangeLabel,
): Promise<T> {
  let params = request.params;
  for (let round = 1; ; round++) {
    const step: Round<T> = await exchange(
      context,
      { method: request.method, params },
      (result) => (result.resultType === 'input_required' ? { input: result } : { done: check(result) }),
      options,
      what,
    );
    if ('done' in step) return step.done;
    const where = { backend: context.backend, tool: what.tool };
    if (round >= MAX_INPUT_ROUNDS) {
      throw new GatewayError(
        'backend_error',
        `${what.label} failed: the backend still asked for input after ${MAX_INPUT_ROUNDS} rounds`,
        where,
      );
    }
    const inputResponses = await answerAll(step.input.inputRequests, askClient, options.signal, what, where);
    const { requestState } = step.input;
    params = {
      ...request.params,
      inputResponses,
      ...(typeof requestState === 'string' ? { requestState } : {}),
    };
  }
}

/** Asks the client each embedded request, one after the other (a person may be answering), keyed as asked. */
async function answerAll(
  requests: unknown,
  askClient: AskClient,
  signal: AbortSignal | undefined,
  what: ExchangeLabel,
  where: { backend: string; tool?: string | undefined },
): Promise<Record<string, unknown>> {
  if (typeof requests !== 'object' || requests === null) {
    throw new GatewayError(
      'backend_error',
      `${what.label} failed: an input_required result without inputRequests`,
      where,
    );
  }
  const answers: Record<string, unknown> = {};
  for (const [key, embedded] of Object.entries(requests)) {
    const { method, params } = (embedded ?? {}) as { method?: unknown; params?: unknown };
    if (typeof method !== 'string') {
      throw new GatewayError(
        'backend_error',
        `${what.label} failed: input request "${key}" has no method`,
        where,
      );
    }
    answers[key] = await askClient(
      { method, params: params as BackendMessage['params'] },
      signal ?? new AbortController().signal,
    );
  }
  return answers;
}
