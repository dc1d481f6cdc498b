/**
 * The bridge of a 2026-07-28 client's call across its rounds: what the call asks is handed out as input requests,
 * the answers resume it, a call left waiting expires (and is cancelled), and its state then resumes nothing.
 */
import type { CallToolResult, ServerContext, ServerRequest } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { GatewayError } from '../../../../src/errors/gateway-error.js';
import { InputBridge } from '../../../../src/gateway/calls/input-bridge.js';
import { InputFlow } from '../../../../src/gateway/calls/input-flow.js';
import type { CallerChannel } from '../../../../src/rpc/caller-channel.js';

const ELICIT: ServerRequest = {
  method: 'elicitation/create',
  params: { mode: 'form', message: 'Name?', requestedSchema: { type: 'object', properties: {} } },
};
const ROOTS: ServerRequest = { method: 'roots/list', params: {} };
const noNotifications = (): Promise<void> => Promise.resolve();

/** A call that asks `questions` one after the other, and returns their answers as its text. */
function asking(questions: ServerRequest[]): (caller: CallerChannel) => Promise<CallToolResult> {
  return async (caller) => {
    const answers: unknown[] = [];
    for (const question of questions) answers.push(await caller.sendRequest(question, caller.signal));
    return { content: [{ type: 'text', text: JSON.stringify(answers) }] };
  };
}

/** The context of one round, as the SDK builds it (after its `requestState` hook verified the state). */
function round(state?: { flow: string }, inputResponses?: Record<string, unknown>): ServerContext {
  return {
    mcpReq: {
      id: 1,
      method: 'tools/call',
      signal: new AbortController().signal,
      notify: noNotifications,
      requestState: () => state,
      inputResponses,
    },
  } as unknown as ServerContext;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('InputFlow', () => {
  it('hands out what the call asks, one round at a time, until its result', async () => {
    const flow = new InputFlow(asking([ELICIT, ROOTS]));
    const signal = new AbortController().signal;

    const first = await flow.next(noNotifications, signal);
    expect(first).toEqual({ kind: 'input', requests: { 'input-1': ELICIT } });
    flow.answer({ 'input-1': { action: 'accept', content: { name: 'ada' } } });

    const second = await flow.next(noNotifications, signal);
    expect(second).toEqual({ kind: 'input', requests: { 'input-2': ROOTS } });
    // An answer to nothing asked, and a non-object, are ignored; the question stays open.
    flow.answer({ other: { roots: [] }, 'input-2': 'nonsense' });
    expect(await flow.next(noNotifications, signal)).toEqual({
      kind: 'input',
      requests: { 'input-2': ROOTS },
    });
    flow.answer({ 'input-2': { roots: [] } });

    expect(await flow.next(noNotifications, signal)).toEqual({
      kind: 'done',
      result: {
        content: [{ type: 'text', text: '[{"action":"accept","content":{"name":"ada"}},{"roots":[]}]' }],
      },
    });
    expect(flow.finished).toBe(true);
  });

  it('cancels the call and refuses what it asked when cancelled', async () => {
    let callSignal: AbortSignal | undefined;
    const flow = new InputFlow((caller) => {
      callSignal = caller.signal;
      return asking([ELICIT])(caller);
    });
    await flow.next(noNotifications, new AbortController().signal);

    flow.cancel('the client went away');

    expect(callSignal?.aborted).toBe(true);
    await expect(flow.next(noNotifications, new AbortController().signal)).rejects.toThrow(
      'the client went away',
    );
  });
});

describe('InputBridge', () => {
  it('mints a sealed state for a waiting call, and resumes it with the answers', async () => {
    const bridge = new InputBridge();
    const first = (await bridge.serve(round(), asking([ELICIT]))) as {
      resultType: string;
      requestState: string;
    };
    expect(first.resultType).toBe('input_required');

    const state = await bridge.verify(first.requestState, round());
    const done = await bridge.serve(round(state, { 'input-1': { action: 'decline' } }), asking([ELICIT]));

    expect(done).toEqual({ content: [{ type: 'text', text: '[{"action":"decline"}]' }] });
    await expect(bridge.verify(`${first.requestState}x`, round())).rejects.toThrow();
    expect(first.requestState.startsWith('gw.')).toBe(true);
  });

  it('cancels a call the client never resumes, after the wait, and then refuses its state', async () => {
    vi.useFakeTimers();
    const bridge = new InputBridge(60_000);
    let callSignal: AbortSignal | undefined;
    const first = (await bridge.serve(round(), (caller) => {
      callSignal = caller.signal;
      return asking([ELICIT])(caller);
    })) as { requestState: string };
    const state = await bridge.verify(first.requestState, round());

    vi.advanceTimersByTime(60_001);

    expect(callSignal?.aborted).toBe(true);
    const resumed = bridge.serve(round(state, { 'input-1': { action: 'accept' } }), asking([ELICIT]));
    await expect(resumed).rejects.toBeInstanceOf(GatewayError);
    await expect(resumed).rejects.toThrow('is over');
  });
});
