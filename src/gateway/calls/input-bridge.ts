/**
 * The bridge from the 2025 era's requests to 2026-07-28 clients: a backend that asks the client something during a
 * call (elicitation, sampling, roots) cannot send a 2026-07-28 client a request, so the call's request is answered
 * `input_required` with those questions, and the client's retry (with the answers, and the `requestState` it was
 * given) resumes the same call. The state is an id of the waiting call, sealed with an HMAC and an expiry: a state
 * that was tampered with or has expired is refused, and a call nobody resumes is cancelled when it expires.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import {
  createRequestStateCodec,
  inputRequired,
  type CallToolResult,
  type InputRequiredResult,
  type InputRequests,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { GatewayError } from '../../errors/gateway-error.js';
import type { CallerChannel } from '../../rpc/caller-channel.js';
import type { InputRound } from '../../shared/backend.js';
import { GATEWAY_STATE_PREFIX, gatewayStatePrefix } from './request-state-owner.js';
import { envelopeLogLevel } from '../hub/log-levels.js';
import { InputFlow } from './input-flow.js';

/** How long a call waits for the client to come back with answers. */
export const INPUT_WAIT_MS = 10 * 60_000;

/** What the gateway puts in a `requestState`. */
interface FlowState {
  readonly flow: string;
}

function flowStateOf(state: unknown): FlowState | undefined {
  return typeof state === 'object' && state !== null && typeof (state as FlowState).flow === 'string'
    ? (state as FlowState)
    : undefined;
}

/** The waiting calls of one gateway, and the codec of their states. */
export class InputBridge {
  readonly codec: RequestStateCodec<FlowState>;
  private readonly flows = new Map<string, { flow: InputFlow; timer: NodeJS.Timeout }>();
  /** Marks the states this gateway minted (and, in a cluster, the replica), apart from its backends'. */
  private readonly prefix: string;

  /** `replicaId`: the cluster replica this gateway is, named in its states so that retries reach it. */
  constructor(
    private readonly waitMs = INPUT_WAIT_MS,
    replicaId?: string,
  ) {
    this.prefix = gatewayStatePrefix(replicaId);
    // One process serves every round of a flow (its call runs here), so a key of its own is enough.
    this.codec = createRequestStateCodec<FlowState>({
      key: randomBytes(32),
      ttlSeconds: Math.ceil(waitMs / 1000),
    });
  }

  /**
   * The SDK's `requestState` hook: a state the gateway minted (its prefix) is verified and decoded (a failure is
   * refused by the SDK with -32602); any other is a backend's, passed on to it as it is (see `serve`).
   */
  async verify(state: string, ctx: ServerContext): Promise<FlowState | undefined> {
    if (state.startsWith(this.prefix)) return this.codec.verify(state.slice(this.prefix.length), ctx);
    // Another replica's: never read as a backend's state, which would start the call a second time.
    if (state.startsWith(GATEWAY_STATE_PREFIX)) {
      throw new GatewayError(
        'invalid_input',
        'this requestState belongs to a call waiting on another replica, which could not be reached: call the tool again',
      );
    }
    return undefined;
  }

  /**
   * Serves one round of a tools/call: the first (which starts the call with `run`), or a retry carrying the
   * gateway's `requestState` and the `inputResponses` to the questions it asked. A retry with a backend's own
   * state starts the call again, with that round (`run` hands it to a 2026-07-28 backend, which answers it).
   * Resolves with the call's result, or with `input_required` and the questions still open.
   */
  async serve(
    ctx: ServerContext,
    run: (caller: CallerChannel, round: InputRound) => Promise<CallToolResult>,
  ): Promise<CallToolResult | InputRequiredResult> {
    const raw = ctx.mcpReq.requestState<unknown>();
    const state = flowStateOf(raw);
    let id: string;
    let entry: { flow: InputFlow; timer: NodeJS.Timeout } | undefined;
    if (state === undefined) {
      const round: InputRound = {
        inputResponses: ctx.mcpReq.inputResponses,
        requestState: typeof raw === 'string' ? raw : undefined,
      };
      id = randomUUID();
      const logLevel = envelopeLogLevel(ctx.mcpReq.envelope);
      entry = { flow: new InputFlow((caller) => run(caller, round), logLevel), timer: this.expireLater(id) };
      this.flows.set(id, entry);
    } else {
      id = state.flow;
      entry = this.flows.get(id);
      if (!entry) {
        throw new GatewayError(
          'invalid_input',
          'the call this requestState resumes is over (it finished, was cancelled, or waited too long): call the tool again',
        );
      }
      entry.timer.refresh();
      entry.flow.answer(ctx.mcpReq.inputResponses ?? {});
    }
    const { flow } = entry;
    try {
      const step = await flow.next((notification) => ctx.mcpReq.notify(notification), ctx.mcpReq.signal);
      if (step.kind === 'done') {
        this.forget(id);
        return step.result;
      }
      return inputRequired({
        inputRequests: step.requests as unknown as InputRequests,
        requestState: this.prefix + (await this.codec.mint({ flow: id })),
      });
    } catch (error) {
      // The call failed, or the client gave up on this round: either way the call is over.
      if (!flow.finished) flow.cancel('the client cancelled the call');
      this.forget(id);
      throw error;
    }
  }

  /** Cancels every waiting call (the gateway is closing). */
  close(): void {
    for (const [id, { flow }] of this.flows) {
      flow.cancel('the gateway is closing');
      this.forget(id);
    }
  }

  private expireLater(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.flows.get(id)?.flow.cancel(`the client did not answer within ${Math.round(this.waitMs / 1000)} s`);
      this.forget(id);
    }, this.waitMs);
    timer.unref();
    return timer;
  }

  private forget(id: string): void {
    const entry = this.flows.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.flows.delete(id);
  }
}
