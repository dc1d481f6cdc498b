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
  // A 2025 backend never answers input_required: its calls (the hot path) go straight through.
  if (context.connection.protocolEra.kind === 'legacy')
    return exchange(context, request, check, options, what);
  const { inputRound } = options;
  let params =
    inputRound === undefined
      ? request.params
      : {
          ...request.params,
          ...(inputRound.inputResponses === undefined ? {} : { inputResponses: inputRound.inputResponses }),
          ...(inputRound.requestState === undefined ? {} : { requestState: inputRound.requestState }),
        };
  for (let round = 1; ; round++) {
    const step: Round<T> = await exchange(
      context,
      { method: request.method, params },
      (result) => {
        if (result.resultType !== 'input_required') return { done: check(result) };
        // A 2026-07-28 caller answers it itself, with the backend's own keys and state.
        return inputRound === undefined ? { input: result } : { done: result as T };
      },
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

/** Asks the client every embedded request, keyed as the backend keyed them. */
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
  const asked = Object.entries(requests).map(([key, embedded]) => {
    const { method, params } = (embedded ?? {}) as { method?: unknown; params?: unknown };
    if (typeof method !== 'string') {
      throw new GatewayError(
        'backend_error',
        `${what.label} failed: input request "${key}" has no method`,
        where,
      );
    }
    return { key, request: { method, params: params as BackendMessage['params'] } };
  });
  // Asked together, as the backend asked them: a 2026-07-28 client gets them in one round.
  const answers = await Promise.all(
    asked.map(({ request }) => askClient(request, signal ?? new AbortController().signal)),
  );
  return Object.fromEntries(asked.map(({ key }, index) => [key, answers[index]]));
}
