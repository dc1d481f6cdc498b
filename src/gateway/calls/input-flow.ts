/**
 * One call of a 2026-07-28 client that outlives its request: the backend's call runs on, and what the backend asks
 * the client meanwhile (elicitation, sampling, roots: requests of the 2025 era) is parked and handed to the client as
 * the `inputRequests` of an `input_required` result. The client's retry brings the `inputResponses`, which answer the
 * parked requests, and waits for what comes next: the call's result, or the next questions.
 */
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/server';
import { GatewayError } from '../../errors/gateway-error.js';
import type { CallerChannel } from '../../rpc/caller-channel.js';

/** What a round of the flow ends with. */
export type FlowStep =
  | { readonly kind: 'done'; readonly result: CallToolResult }
  | { readonly kind: 'input'; readonly requests: Readonly<Record<string, ServerRequest>> };

interface Parked {
  readonly request: ServerRequest;
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (error: Error) => void;
}

/** A call in flight across the rounds of a multi-round-trip request. */
export class InputFlow {
  /** Aborted when the flow ends early (expired, cancelled): the backend's call is cancelled with it. */
  private readonly controller = new AbortController();
  private readonly parked = new Map<string, Parked>();
  private nextKey = 0;
  private outcome: { ok: true; result: CallToolResult } | { ok: false; error: unknown } | undefined;
  /** Wakes the round waiting in {@link next} when something happens. */
  private wake: (() => void) | undefined;
  /** The current round's way to the client, for the notifications of the call (progress, logs). */
  private notify: ((notification: ServerNotification) => Promise<void>) | undefined;

  /** @param logLevel what the request that started the call asked to hear (see `CallerChannel.logLevel`) */
  constructor(run: (caller: CallerChannel) => Promise<CallToolResult>, logLevel?: CallerChannel['logLevel']) {
    const caller: CallerChannel = {
      signal: this.controller.signal,
      sendRequest: (request, signal) => this.park(request, signal),
      sendNotification: (notification) => this.notify?.(notification) ?? Promise.resolve(),
      logLevel,
    };
    run(caller).then(
      (result) => this.settle({ ok: true, result }),
      (error: unknown) => this.settle({ ok: false, error }),
    );
  }

  /** Whether the call is over (its result or failure taken or not). */
  get finished(): boolean {
    return this.outcome !== undefined;
  }

  /** Answers parked requests with the client's responses, by the keys of the `inputRequests` they answer. */
  answer(responses: Readonly<Record<string, unknown>>): void {
    for (const [key, response] of Object.entries(responses)) {
      const parked = this.parked.get(key);
      if (!parked || typeof response !== 'object' || response === null) continue;
      this.parked.delete(key);
      parked.resolve(response as Record<string, unknown>);
    }
  }

  /**
   * Waits for the call's result, or for questions the client has not been asked (all parked requests are asked
   * again each round until answered). `notify` carries the call's notifications during this round. Rejects with
   * the call's failure, or when `signal` (the round's request) aborts.
   */
  async next(
    notify: (notification: ServerNotification) => Promise<void>,
    signal: AbortSignal,
  ): Promise<FlowStep> {
    this.notify = notify;
    let abandon: ((error: Error) => void) | undefined;
    const onAbort = (): void => abandon?.(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (this.outcome) {
          if (this.outcome.ok) return { kind: 'done', result: this.outcome.result };
          throw this.outcome.error;
        }
        if (this.parked.size > 0) {
          return {
            kind: 'input',
            requests: Object.fromEntries([...this.parked].map(([key, parked]) => [key, parked.request])),
          };
        }
        if (signal.aborted) throw abortReason(signal);
        await new Promise<void>((resolve, reject) => {
          this.wake = resolve;
          abandon = reject;
        });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.wake = undefined;
      this.notify = undefined;
    }
  }

  /** Ends the flow: the backend's call is cancelled and what it asked is refused, with `reason`. */
  cancel(reason: string): void {
    const error = new GatewayError('cancelled', reason);
    this.controller.abort(error);
    for (const parked of this.parked.values()) parked.reject(error);
    this.parked.clear();
  }

  private park(request: ServerRequest, signal: AbortSignal): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const key = `input-${++this.nextKey}`;
      this.parked.set(key, { request, resolve, reject });
      // Woken once the questions asked together are all parked: they go to the client in one round.
      setImmediate(() => this.wake?.());
      signal.addEventListener(
        'abort',
        () => {
          if (this.parked.delete(key)) reject(abortReason(signal));
        },
        { once: true },
      );
    });
  }

  private settle(outcome: NonNullable<InputFlow['outcome']>): void {
    this.outcome = outcome;
    this.wake?.();
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}
