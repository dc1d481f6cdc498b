import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors.js';
import { buildPipeline } from '../../../src/pipelines/build-pipeline.js';
import type { Pipeline, StepCaller, StepOutcome } from '../../../src/pipelines/pipeline.js';
import { applyInput, runPipeline, textOf } from '../../../src/pipelines/run-pipeline.js';
import { deferred, textResult, type Deferred } from '../gateway/fake-directory.js';

interface CallRecord {
  readonly server: string;
  readonly tool: string;
  readonly params: Record<string, unknown>;
  readonly signal: AbortSignal | undefined;
}

/**
 * A step caller whose calls to `server.tool` wait until the test settles them. Records each call, and an event
 * log of starts (`start a.x`) and ends (`end a.x`).
 */
function controlledCaller() {
  const calls: CallRecord[] = [];
  const events: string[] = [];
  const pending = new Map<string, Deferred<CallToolResult>>();
  const started = new Map<string, Deferred>();
  const startedOf = (key: string): Deferred => {
    let entry = started.get(key);
    if (!entry) {
      entry = deferred();
      started.set(key, entry);
    }
    return entry;
  };
  const pendingOf = (key: string): Deferred<CallToolResult> => {
    let entry = pending.get(key);
    if (!entry) {
      entry = deferred<CallToolResult>();
      pending.set(key, entry);
    }
    return entry;
  };
  const caller: StepCaller = async (server, tool, params, signal) => {
    const key = `${server}.${tool}`;
    calls.push({ server, tool, params, signal });
    events.push(`start ${key}`);
    startedOf(key).resolve();
    try {
      return await pendingOf(key).promise;
    } finally {
      events.push(`end ${key}`);
    }
  };
  return {
    caller,
    calls,
    events,
    /** Resolves once `server.tool` has been called. */
    started: (key: string) => startedOf(key).promise,
    resolve: (key: string, result: CallToolResult = textResult(`${key} done`)) =>
      pendingOf(key).resolve(result),
    reject: (key: string, error: unknown) => pendingOf(key).reject(error),
  };
}

/** A caller answering every call at once with `server.tool(params)`. */
const echoCaller: StepCaller = (server, tool, params) =>
  Promise.resolve(textResult(`${server}.${tool}(${JSON.stringify(params)})`));

describe('runPipeline', () => {
  it('starts independent steps together and a dependent step only after its dependency succeeded', async () => {
    const pipeline = buildPipeline('graph', '', [
      { id: 'a', server: 's', tool: 'a', after: [] },
      { id: 'b', server: 's', tool: 'b', after: ['a'] },
      { id: 'c', server: 's', tool: 'c' },
    ]);
    const control = controlledCaller();

    const run = runPipeline(pipeline, { caller: control.caller });
    await Promise.all([control.started('s.a'), control.started('s.c')]);
    expect(control.events).toEqual(['start s.a', 'start s.c']);
    control.resolve('s.a');
    await control.started('s.b');
    expect(control.events).toEqual(['start s.a', 'start s.c', 'end s.a', 'start s.b']);
    control.resolve('s.b');
    control.resolve('s.c');
    const outcome = await run;

    expect(outcome.ok).toBe(true);
    expect(outcome.steps.map((step) => [step.id, step.status])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
      ['c', 'ok'],
    ]);
  });

  it('waits for every step named in after before starting a step', async () => {
    const pipeline = buildPipeline('join', '', [
      { id: 'a', server: 's', tool: 'a' },
      { id: 'b', server: 's', tool: 'b' },
      { id: 'c', server: 's', tool: 'c', after: ['a', 'b'] },
    ]);
    const control = controlledCaller();

    const run = runPipeline(pipeline, { caller: control.caller });
    await Promise.all([control.started('s.a'), control.started('s.b')]);
    control.resolve('s.b');
    control.resolve('s.a');
    await control.started('s.c');
    control.resolve('s.c');
    await run;

    expect(control.events.indexOf('start s.c')).toBeGreaterThan(control.events.indexOf('end s.a'));
    expect(control.events.indexOf('start s.c')).toBeGreaterThan(control.events.indexOf('end s.b'));
  });

  it('skips the steps depending on a failed step, directly or not, and runs the others', async () => {
    const pipeline = buildPipeline('failing', '', [
      { id: 'fetch', server: 'web', tool: 'fetch' },
      { id: 'parse', server: 'web', tool: 'parse', after: ['fetch'] },
      { id: 'store', server: 'db', tool: 'store', after: ['parse'] },
      { id: 'audit', server: 'db', tool: 'audit' },
    ]);
    const called: string[] = [];
    const caller: StepCaller = (server, tool) => {
      called.push(`${server}.${tool}`);
      if (tool === 'fetch')
        return Promise.reject(new GatewayError('timeout', 'web.fetch timed out after 10 ms'));
      return Promise.resolve(textResult('ok'));
    };

    const outcome = await runPipeline(pipeline, { caller });

    expect(called.sort()).toEqual(['db.audit', 'web.fetch']);
    expect(outcome.ok).toBe(false);
    expect(outcome.steps.map((step) => [step.id, step.status, step.error])).toEqual([
      ['fetch', 'error', 'web.fetch timed out after 10 ms'],
      ['parse', 'skipped', 'skipped: fetch did not succeed'],
      ['store', 'skipped', 'skipped: parse did not succeed'],
      ['audit', 'ok', undefined],
    ]);
    expect(outcome.steps.find((step) => step.id === 'parse')?.durationMs).toBe(0);
  });

  it('names every unsuccessful dependency of a skipped step', async () => {
    const pipeline = buildPipeline('two-failures', '', [
      { id: 'a', server: 's', tool: 'a' },
      { id: 'b', server: 's', tool: 'b' },
      { id: 'c', server: 's', tool: 'c', after: ['a', 'b'] },
    ]);
    const caller: StepCaller = () => Promise.resolve({ content: [], isError: true });

    const outcome = await runPipeline(pipeline, { caller });

    expect(outcome.steps[2]?.error).toBe('skipped: a, b did not succeed');
  });

  it('treats a result with isError as a failed step, keeping the result and its text as the error', async () => {
    const pipeline = buildPipeline('tool-error', '', [{ server: 'sqlite', tool: 'read_query' }]);
    const failure: CallToolResult = { content: [{ type: 'text', text: 'no such table: x' }], isError: true };

    const outcome = await runPipeline(pipeline, { caller: () => Promise.resolve(failure) });

    expect(outcome.steps[0]).toMatchObject({ status: 'error', error: 'no such table: x', result: failure });
  });

  it('says the tool reported an error when an isError result has no text', async () => {
    const pipeline = buildPipeline('tool-error', '', [{ server: 'sqlite', tool: 'read_query' }]);

    const outcome = await runPipeline(pipeline, {
      caller: () => Promise.resolve({ content: [], isError: true }),
    });

    expect(outcome.steps[0]?.error).toBe('the tool reported an error');
  });

  it('strips the SDK prefix from the message of a rejected call', async () => {
    const pipeline = buildPipeline('mcp-error', '', [{ server: 's', tool: 't' }]);

    const outcome = await runPipeline(pipeline, {
      caller: () => Promise.reject(new Error('MCP error -32603: backend crashed')),
    });

    expect(outcome.steps[0]?.error).toBe('backend crashed');
  });

  it('reports every step, in pipeline order, whatever order they end in', async () => {
    const pipeline = buildPipeline('order', '', [
      { id: 'slow', server: 's', tool: 'slow' },
      { id: 'fast', server: 's', tool: 'fast' },
    ]);
    const control = controlledCaller();
    const ended: string[] = [];
    const fastDone = deferred();

    const run = runPipeline(pipeline, {
      caller: control.caller,
      onStepDone: (step, done, total) => {
        ended.push(`${step.id} ${done}/${total}`);
        if (step.id === 'fast') fastDone.resolve();
      },
    });
    await Promise.all([control.started('s.slow'), control.started('s.fast')]);
    control.resolve('s.fast');
    await fastDone.promise;
    control.resolve('s.slow');
    const outcome = await run;

    expect(outcome.steps.map((step) => step.id)).toEqual(['slow', 'fast']);
    expect(ended).toEqual(['fast 1/2', 'slow 2/2']);
  });

  it('calls onStepDone once per step, skipped ones included, with the step outcome', async () => {
    const pipeline = buildPipeline('done', '', [
      { id: 'a', server: 's', tool: 'a' },
      { id: 'b', server: 's', tool: 'b', after: ['a'] },
    ]);
    const seen: Array<[StepOutcome, number, number]> = [];

    const outcome = await runPipeline(pipeline, {
      caller: () => Promise.reject(new Error('down')),
      onStepDone: (step, done, total) => seen.push([step, done, total]),
    });

    expect(seen).toEqual([
      [outcome.steps[0], 1, 2],
      [outcome.steps[1], 2, 2],
    ]);
  });

  it('calls each step with its params, replaced by the input values of the same name', async () => {
    const pipeline = buildPipeline('input', '', [
      { id: 'alerts', server: 'weather', tool: 'get_alerts', params: { state: 'CA' } },
      { id: 'forecast', server: 'weather', tool: 'get_forecast', params: { latitude: 1, longitude: 2 } },
    ]);
    const control = controlledCaller();

    const run = runPipeline(pipeline, {
      caller: control.caller,
      input: { state: 'NY', latitude: 40, zoom: 3 },
    });
    control.resolve('weather.get_alerts');
    control.resolve('weather.get_forecast');
    await run;

    expect(control.calls.map((call) => [call.tool, call.params])).toEqual([
      ['get_alerts', { state: 'NY' }],
      ['get_forecast', { latitude: 40, longitude: 2 }],
    ]);
  });

  it('passes its signal to every call', async () => {
    const pipeline = buildPipeline('signal', '', [
      { server: 's', tool: 'a' },
      { server: 's', tool: 'b', after: ['step1'] },
    ]);
    const control = controlledCaller();
    const controller = new AbortController();

    const run = runPipeline(pipeline, { caller: control.caller, signal: controller.signal });
    control.resolve('s.a');
    control.resolve('s.b');
    await run;

    expect(control.calls.map((call) => call.signal)).toEqual([controller.signal, controller.signal]);
  });

  it('returns the scenario name, ok, the duration and the results unchanged', async () => {
    const pipeline = buildPipeline('report', '', [{ id: 'only', server: 'db', tool: 'q', params: { n: 1 } }]);

    const outcome = await runPipeline(pipeline, { caller: echoCaller });

    expect(outcome).toEqual({
      scenario: 'report',
      ok: true,
      durationMs: expect.any(Number) as number,
      steps: [
        {
          id: 'only',
          server: 'db',
          tool: 'q',
          status: 'ok',
          durationMs: expect.any(Number) as number,
          result: textResult('db.q({"n":1})'),
        },
      ],
    });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('skips a step of a hand-built pipeline whose after names a step that does not exist', async () => {
    const pipeline: Pipeline = {
      name: 'hand-built',
      description: '',
      steps: [{ id: 'a', server: 's', tool: 'a', params: {}, after: ['ghost'] }],
    };

    const outcome = await runPipeline(pipeline, { caller: echoCaller });

    expect(outcome.steps[0]).toMatchObject({ status: 'skipped', error: 'skipped: ghost did not succeed' });
  });
});

describe('applyInput', () => {
  it('replaces only the params that the input names, and adds nothing', () => {
    expect(applyInput({ state: 'CA', limit: 5 }, { state: 'NY', extra: true })).toEqual({
      state: 'NY',
      limit: 5,
    });
  });

  it('replaces with any value the input holds, undefined and null included', () => {
    expect(applyInput({ a: 1, b: 2 }, { a: null, b: undefined })).toEqual({ a: null, b: undefined });
    expect(Object.keys(applyInput({ a: 1, b: 2 }, { b: undefined }))).toEqual(['a', 'b']);
  });

  it('ignores inherited properties of the input', () => {
    const input = Object.create({ state: 'inherited' }) as Record<string, unknown>;

    expect(applyInput({ state: 'CA' }, input)).toEqual({ state: 'CA' });
  });

  it('returns a copy of the params, never the params themselves', () => {
    const params = { state: 'CA' };

    const withoutInput = applyInput(params, undefined);
    const withInput = applyInput(params, { state: 'NY' });

    expect(withoutInput).toEqual({ state: 'CA' });
    expect(withoutInput).not.toBe(params);
    expect(withInput).toEqual({ state: 'NY' });
    expect(params).toEqual({ state: 'CA' });
  });
});

describe('textOf', () => {
  it('joins text items with newlines and names other content by its type', () => {
    const result: CallToolResult = {
      content: [
        { type: 'text', text: 'first' },
        { type: 'image', data: 'AAAA', mimeType: 'image/png' },
        { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' },
        { type: 'resource', resource: { uri: 'file:///a.txt', text: 'inline text' } },
        { type: 'resource', resource: { uri: 'file:///b.bin', blob: 'AAAA' } },
        { type: 'resource_link', uri: 'file:///c.txt', name: 'c' },
        { type: 'text', text: 'last' },
      ],
    };

    expect(textOf(result)).toBe(
      [
        'first',
        '[image image/png]',
        '[audio audio/wav]',
        'inline text',
        '[resource file:///b.bin]',
        '[resource link file:///c.txt]',
        'last',
      ].join('\n'),
    );
  });

  it('leaves out empty text items and gives an empty string for no content', () => {
    expect(
      textOf({
        content: [
          { type: 'text', text: '' },
          { type: 'text', text: 'only' },
        ],
      }),
    ).toBe('only');
    expect(textOf({ content: [] })).toBe('');
  });
});
