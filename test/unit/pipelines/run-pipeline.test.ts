import type { CallToolResult } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { PipelineConfig } from '../../../src/pipelines/pipeline-schema.js';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { buildPipeline } from '../../../src/pipelines/build-pipeline.js';
import type { Pipeline, StepCall, StepCaller, StepOutcome } from '../../../src/pipelines/pipeline.js';
import { runPipeline, textOf } from '../../../src/pipelines/run-pipeline.js';
import { compileTemplate } from '../../../src/pipelines/templates.js';
import { deferred, textResult, type Deferred } from '../../helpers/fake-directory.js';

afterEach(() => {
  vi.useRealTimers();
});

/**
 * A step caller whose calls to `server.tool` wait until the test settles them. Records each call, and an event
 * log of starts (`start s.a`) and ends (`end s.a`).
 */
function controlledCaller() {
  const calls: StepCall[] = [];
  const events: string[] = [];
  const pending = new Map<string, Deferred<CallToolResult>>();
  const started = new Map<string, Deferred>();
  const entry = <T>(map: Map<string, Deferred<T>>, key: string): Deferred<T> => {
    let found = map.get(key);
    if (!found) {
      found = deferred<T>();
      map.set(key, found);
    }
    return found;
  };
  const caller: StepCaller = async (call) => {
    const key = `${call.server}.${call.tool}`;
    calls.push(call);
    events.push(`start ${key}`);
    entry(started, key).resolve();
    try {
      return await entry(pending, key).promise;
    } finally {
      events.push(`end ${key}`);
    }
  };
  return {
    caller,
    calls,
    events,
    /** Resolves once `server.tool` has been called. */
    started: (key: string) => entry(started, key).promise,
    resolve: (key: string, result: CallToolResult = textResult(`${key} done`)) =>
      entry(pending, key).resolve(result),
    reject: (key: string, error: unknown) => entry(pending, key).reject(error),
  };
}

/** Resolves when the step `id` has ended, through `onStepDone`. */
function stepEnds() {
  const ended = new Map<string, Deferred>();
  const of = (id: string): Deferred => {
    let found = ended.get(id);
    if (!found) {
      found = deferred();
      ended.set(id, found);
    }
    return found;
  };
  return {
    onStepDone: (outcome: StepOutcome) => of(outcome.id).resolve(),
    ended: (id: string) => of(id).promise,
  };
}

/** A caller answering every call at once with `server.tool(params)`. */
const echoCaller: StepCaller = ({ server, tool, params }) =>
  Promise.resolve(textResult(`${server}.${tool}(${JSON.stringify(params)})`));

/** A caller recording the params of each call and answering with `results[server.tool]` (or an echo). */
function recordingCaller(results: Record<string, CallToolResult | Error> = {}) {
  const params: Record<string, Record<string, unknown>> = {};
  const caller: StepCaller = async (call) => {
    const key = `${call.server}.${call.tool}`;
    params[key] = call.params;
    const result = results[key];
    if (result instanceof Error) throw result;
    return result ?? (await echoCaller(call));
  };
  return { caller, params };
}

function build(config: PipelineConfig, name = 'test'): Pipeline {
  return buildPipeline(name, config);
}

function statuses(steps: readonly StepOutcome[]): [string, string, string | undefined][] {
  return steps.map((step) => [step.id, step.status, step.error]);
}

const DIAMOND: PipelineConfig = {
  steps: [
    { id: 'a', server: 's', tool: 'a' },
    { id: 'b', server: 's', tool: 'b', after: ['a'] },
    { id: 'c', server: 's', tool: 'c', after: ['a'] },
    { id: 'd', server: 's', tool: 'd', after: ['b', 'c'] },
  ],
};

describe('runPipeline: the graph', () => {
  it('runs a diamond: B and C both start after A ends and overlap, and D starts only after both end', async () => {
    const control = controlledCaller();
    const steps = stepEnds();

    const run = runPipeline(build(DIAMOND), { caller: control.caller, onStepDone: steps.onStepDone });
    await control.started('s.a');
    expect(control.events).toEqual(['start s.a']);
    control.resolve('s.a');
    await Promise.all([control.started('s.b'), control.started('s.c')]);
    // Both are in flight: neither has been released, so neither has ended.
    expect(control.events).toEqual(['start s.a', 'end s.a', 'start s.b', 'start s.c']);
    control.resolve('s.c');
    await steps.ended('c');
    expect(control.events).not.toContain('start s.d');
    control.resolve('s.b');
    await control.started('s.d');
    control.resolve('s.d');
    const outcome = await run;

    expect(control.events).toEqual([
      'start s.a',
      'end s.a',
      'start s.b',
      'start s.c',
      'end s.c',
      'end s.b',
      'start s.d',
      'end s.d',
    ]);
    expect(outcome.ok).toBe(true);
    expect(statuses(outcome.steps)).toEqual([
      ['a', 'ok', undefined],
      ['b', 'ok', undefined],
      ['c', 'ok', undefined],
      ['d', 'ok', undefined],
    ]);
  });

  it('runs the same graph whatever the order the steps are written in, and reports them in that order', async () => {
    const pipeline = build({ steps: [...DIAMOND.steps].reverse() });
    const order: string[] = [];

    const outcome = await runPipeline(pipeline, {
      caller: async (call) => {
        order.push(call.tool);
        return echoCaller(call);
      },
    });

    expect(order[0]).toBe('a');
    expect(order.slice(1, 3).sort()).toEqual(['b', 'c']);
    expect(order[3]).toBe('d');
    expect(outcome.steps.map((step) => step.id)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('skips the steps depending on a failed step, directly or not, without calling them, and runs the others', async () => {
    const pipeline = build({
      steps: [
        { id: 'fetch', server: 'web', tool: 'fetch' },
        { id: 'parse', server: 'web', tool: 'parse', after: ['fetch'] },
        { id: 'store', server: 'db', tool: 'store', after: ['parse'] },
        { id: 'audit', server: 'db', tool: 'audit' },
      ],
    });
    const called: string[] = [];
    const caller: StepCaller = (call) => {
      called.push(`${call.server}.${call.tool}`);
      if (call.tool === 'fetch') {
        return Promise.reject(new GatewayError('timeout', 'web.fetch timed out after 10 ms'));
      }
      return Promise.resolve(textResult('ok'));
    };

    const outcome = await runPipeline(pipeline, { caller });

    expect(called.sort()).toEqual(['db.audit', 'web.fetch']);
    expect(outcome.ok).toBe(false);
    expect(statuses(outcome.steps)).toEqual([
      ['fetch', 'error', 'web.fetch timed out after 10 ms'],
      ['parse', 'skipped', 'skipped: fetch did not succeed'],
      ['store', 'skipped', 'skipped: parse did not succeed'],
      ['audit', 'ok', undefined],
    ]);
    expect(outcome.steps.find((step) => step.id === 'parse')?.durationMs).toBe(0);
  });

  it('names every unsuccessful dependency of a skipped step', async () => {
    const pipeline = build({
      steps: [
        { id: 'a', server: 's', tool: 'a' },
        { id: 'b', server: 's', tool: 'b' },
        { id: 'c', server: 's', tool: 'c', after: ['a', 'b'] },
      ],
    });

    const outcome = await runPipeline(pipeline, {
      caller: () => Promise.resolve({ content: [], isError: true }),
    });

    expect(outcome.steps[2]?.error).toBe('skipped: a, b did not succeed');
  });

  it('runs the steps after an optional step that failed, which can read that it failed; the run stays ok', async () => {
    const pipeline = build({
      steps: [
        { id: 'lookup', server: 'cache', tool: 'get', optional: true },
        {
          id: 'report',
          server: 'db',
          tool: 'write',
          after: ['lookup'],
          params: { cacheFailed: '{{steps.lookup.isError}}', why: 'cache said: {{steps.lookup.text}}' },
        },
      ],
    });
    const { caller, params } = recordingCaller({
      'cache.get': { content: [{ type: 'text', text: 'cache is down' }], isError: true },
    });

    const outcome = await runPipeline(pipeline, { caller });

    expect(params['db.write']).toEqual({ cacheFailed: true, why: 'cache said: cache is down' });
    expect(outcome.ok).toBe(true);
    expect(outcome.steps.map((step) => [step.id, step.status, step.optional])).toEqual([
      ['lookup', 'error', true],
      ['report', 'ok', undefined],
    ]);
  });

  it('lets the steps after an optional skipped step run, and keeps skipping behind a required one', async () => {
    const pipeline = build({
      steps: [
        { id: 'root', server: 's', tool: 'root' },
        { id: 'extra', server: 's', tool: 'extra', after: ['root'], optional: true },
        { id: 'after_extra', server: 's', tool: 'after_extra', after: ['extra'] },
        { id: 'after_root', server: 's', tool: 'after_root', after: ['root'] },
      ],
    });
    const { caller } = recordingCaller({ 's.root': new Error('down') });

    const outcome = await runPipeline(pipeline, { caller });

    expect(statuses(outcome.steps)).toEqual([
      ['root', 'error', 'down'],
      ['extra', 'skipped', 'skipped: root did not succeed'],
      ['after_extra', 'ok', undefined],
      ['after_root', 'skipped', 'skipped: root did not succeed'],
    ]);
    expect(outcome.ok).toBe(false);
  });

  it('rejects a hand-built pipeline whose steps wait for each other in a cycle, before calling anything', async () => {
    const step = (id: string, after: string[]) => ({
      id,
      server: 's',
      tool: id,
      params: {},
      template: compileTemplate({}),
      after,
      timeoutMs: undefined,
      optional: false,
    });
    const pipeline: Pipeline = {
      name: 'hand-built',
      description: '',
      inputs: undefined,
      steps: [step('a', ['b']), step('b', ['a'])],
    };
    const { caller, params } = recordingCaller();

    await expect(runPipeline(pipeline, { caller })).rejects.toThrow(
      'pipeline "hand-built": "after" makes a cycle: a -> b -> a',
    );
    expect(params).toEqual({});
  });
});

describe('runPipeline: templates and input', () => {
  it('renders params from the input and earlier results: strings, numbers, objects and arrays keep their type', async () => {
    const pipeline = build({
      input: { state: { default: 'CA' }, limit: { default: 10 }, filter: {} },
      steps: [
        { id: 'alerts', server: 'weather', tool: 'alerts', params: { state: '{{input.state}}' } },
        {
          id: 'q',
          server: 'db',
          tool: 'query',
          params: { filter: '{{input.filter}}', limit: '{{input.limit}}' },
        },
        {
          id: 'summary',
          server: 'notes',
          tool: 'write',
          after: ['alerts', 'q'],
          params: {
            title: 'Alerts for {{input.state}}: {{steps.alerts.text}}',
            firstId: '{{steps.q.structured.rows[0].id}}',
            rows: '{{steps.q.structured.rows}}',
            meta: { count: '{{steps.q.structured.count}}', asText: 'count={{steps.q.structured.count}}' },
            inline: 'rows={{steps.q.structured.rows}}',
          },
        },
      ],
    });
    const rows = [{ id: 7 }, { id: 9 }];
    const { caller, params } = recordingCaller({
      'weather.alerts': textResult('2 alerts'),
      'db.query': { content: [{ type: 'text', text: 'two rows' }], structuredContent: { rows, count: 2 } },
    });

    const outcome = await runPipeline(pipeline, {
      caller,
      input: { state: 'NY', filter: { city: 'Paris' } },
    });

    expect(outcome.ok).toBe(true);
    expect(params).toEqual({
      'weather.alerts': { state: 'NY' },
      'db.query': { filter: { city: 'Paris' }, limit: 10 },
      'notes.write': {
        title: 'Alerts for NY: 2 alerts',
        firstId: 7,
        rows,
        meta: { count: 2, asText: 'count=2' },
        inline: 'rows=[{"id":7},{"id":9}]',
      },
    });
  });

  it('fails a step whose template reads a value that does not exist, naming the param and the reference', async () => {
    const pipeline = build({
      steps: [
        { id: 'q', server: 'db', tool: 'query' },
        {
          id: 'use',
          server: 'db',
          tool: 'use',
          after: ['q'],
          params: { id: '{{steps.q.structured.rows[0].id}}' },
        },
        { id: 'next', server: 'db', tool: 'next', after: ['use'] },
      ],
    });
    const { caller, params } = recordingCaller({
      'db.query': { content: [], structuredContent: { rows: [] } },
    });

    const outcome = await runPipeline(pipeline, { caller });

    expect(Object.keys(params)).toEqual(['db.query']);
    expect(statuses(outcome.steps)).toEqual([
      ['q', 'ok', undefined],
      [
        'use',
        'error',
        'params.id: {{steps.q.structured.rows[0].id}}: steps.q.structured.rows has no item 0 (it has 0)',
      ],
      ['next', 'skipped', 'skipped: use did not succeed'],
    ]);
  });

  it('leaves out a param that reads an optional input the caller did not give', async () => {
    const pipeline = build({
      input: { limit: { required: false } },
      steps: [{ server: 'db', tool: 'q', params: { limit: '{{input.limit}}', table: 't' } }],
    });
    const { caller, params } = recordingCaller();

    await runPipeline(pipeline, { caller });
    expect(params['db.q']).toEqual({ table: 't' });
    await runPipeline(pipeline, { caller, input: { limit: 3 } });
    expect(params['db.q']).toEqual({ limit: 3, table: 't' });
  });

  it('rejects a missing required input or an undeclared one before any step starts', async () => {
    const pipeline = build(
      {
        input: { table: { description: 'the table to read' } },
        steps: [{ server: 'db', tool: 'q', params: { table: '{{input.table}}' } }],
      },
      'reader',
    );
    const { caller, params } = recordingCaller();

    await expect(runPipeline(pipeline, { caller })).rejects.toThrow(
      'pipeline "reader" needs the input "table" (the table to read)',
    );
    await expect(runPipeline(pipeline, { caller, input: { table: 't', tabel: 'x' } })).rejects.toThrow(
      'pipeline "reader" has no input "tabel"; its inputs: table',
    );
    expect(params).toEqual({});
  });

  it('gives templates of a pipeline with undeclared inputs whatever the caller passed', async () => {
    const pipeline = buildPipeline(
      'custom',
      { steps: [{ server: 's', tool: 't', params: { a: '{{input.a}}', b: 'b={{input.b}}' } }] },
      { undeclaredInput: true },
    );
    const { caller, params } = recordingCaller();

    await runPipeline(pipeline, { caller, input: { a: [1], b: 2 } });
    expect(params['s.t']).toEqual({ a: [1], b: 'b=2' });
    const outcome = await runPipeline(pipeline, { caller, input: { a: 1 } });

    expect(outcome.steps[0]?.error).toBe('params.b: {{input.b}}: input "b" was not given');
  });
});

describe('runPipeline: results', () => {
  it('treats a result with isError as a failed step, keeping the result and its text as the error', async () => {
    const pipeline = build({ steps: [{ server: 'sqlite', tool: 'read_query' }] });
    const failure: CallToolResult = { content: [{ type: 'text', text: 'no such table: x' }], isError: true };

    const outcome = await runPipeline(pipeline, { caller: () => Promise.resolve(failure) });

    expect(outcome.steps[0]).toMatchObject({ status: 'error', error: 'no such table: x', result: failure });
  });

  it('says the tool reported an error when an isError result has no text', async () => {
    const pipeline = build({ steps: [{ server: 'sqlite', tool: 'read_query' }] });

    const outcome = await runPipeline(pipeline, {
      caller: () => Promise.resolve({ content: [], isError: true }),
    });

    expect(outcome.steps[0]?.error).toBe('the tool reported an error');
  });

  it('strips the SDK prefix from the message of a rejected call, and reports a caller that throws at once', async () => {
    const pipeline = build({
      steps: [
        { id: 'x', server: 's', tool: 't' },
        { id: 'y', server: 's', tool: 'u' },
      ],
    });

    const outcome = await runPipeline(pipeline, {
      caller: (call) => {
        if (call.tool === 'u') throw new Error('thrown synchronously');
        return Promise.reject(new Error('MCP error -32603: backend crashed'));
      },
    });

    expect(statuses(outcome.steps)).toEqual([
      ['x', 'error', 'backend crashed'],
      ['y', 'error', 'thrown synchronously'],
    ]);
  });

  it('returns the scenario name, ok, the duration and the results unchanged', async () => {
    const pipeline = build({ steps: [{ id: 'only', server: 'db', tool: 'q', params: { n: 1 } }] }, 'report');

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
});

describe('runPipeline: progress', () => {
  it('reports each step as it ends, skipped ones included, with done and total, in the order they end', async () => {
    const pipeline = build({
      steps: [
        { id: 'slow', server: 's', tool: 'slow' },
        { id: 'fast', server: 's', tool: 'fast' },
        { id: 'after_slow', server: 's', tool: 'after_slow', after: ['slow'] },
      ],
    });
    const control = controlledCaller();
    const ended: string[] = [];
    const fastDone = deferred();

    const run = runPipeline(pipeline, {
      caller: control.caller,
      onStepDone: (step, done, total) => {
        ended.push(`${step.id} ${step.status} ${done}/${total}`);
        if (step.id === 'fast') fastDone.resolve();
      },
    });
    await Promise.all([control.started('s.slow'), control.started('s.fast')]);
    control.resolve('s.fast');
    await fastDone.promise;
    control.reject('s.slow', new Error('down'));
    const outcome = await run;

    expect(ended).toEqual(['fast ok 1/3', 'slow error 2/3', 'after_slow skipped 3/3']);
    expect(outcome.steps.map((step) => step.id)).toEqual(['slow', 'fast', 'after_slow']);
  });
});

describe('runPipeline: cancellation and timeouts', () => {
  it('aborts the calls in flight when cancelled, ends them at once, and never starts the steps after them', async () => {
    const pipeline = build({
      steps: [
        { id: 'a', server: 's', tool: 'a' },
        { id: 'b', server: 's', tool: 'b' },
        { id: 'c', server: 's', tool: 'c', after: ['a'] },
      ],
    });
    const control = controlledCaller();
    const controller = new AbortController();

    const run = runPipeline(pipeline, { caller: control.caller, signal: controller.signal });
    await Promise.all([control.started('s.a'), control.started('s.b')]);
    const signals = control.calls.map((call) => call.signal);
    expect(signals.map((signal) => signal.aborted)).toEqual([false, false]);
    // The fake calls ignore their signal: the run must end anyway.
    controller.abort();
    const outcome = await run;

    expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
    expect(control.calls.map((call) => call.tool)).toEqual(['a', 'b']);
    expect(outcome.ok).toBe(false);
    expect(statuses(outcome.steps)).toEqual([
      ['a', 'error', 's.a was cancelled'],
      ['b', 'error', 's.b was cancelled'],
      ['c', 'skipped', 'skipped: a did not succeed'],
    ]);
  });

  it('starts nothing more once cancelled, even a step whose dependencies succeeded', async () => {
    const pipeline = build({
      steps: [
        { id: 'a', server: 's', tool: 'a' },
        { id: 'b', server: 's', tool: 'b', after: ['a'] },
      ],
    });
    const controller = new AbortController();
    const called: string[] = [];

    const outcome = await runPipeline(pipeline, {
      signal: controller.signal,
      caller: (call) => {
        called.push(call.tool);
        // The backend answers, but the client cancelled meanwhile.
        controller.abort();
        return Promise.resolve(textResult('done'));
      },
    });

    expect(called).toEqual(['a']);
    expect(statuses(outcome.steps)).toEqual([
      ['a', 'error', 's.a was cancelled'],
      ['b', 'skipped', 'skipped: a did not succeed'],
    ]);
  });

  it('reports the steps of a run cancelled before it started as skipped, calling nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const { caller, params } = recordingCaller();

    const outcome = await runPipeline(build(DIAMOND), { caller, signal: controller.signal });

    expect(params).toEqual({});
    expect(outcome.steps[0]).toMatchObject({
      status: 'skipped',
      error: 'skipped: the pipeline was cancelled before this step started',
    });
  });

  it('ends a step at its timeoutMs with "server.tool timed out after N ms", aborting its call', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pipeline = build({
      steps: [
        { id: 'slow', server: 'db', tool: 'dump', timeoutMs: 250 },
        { id: 'after', server: 'db', tool: 'next', after: ['slow'] },
      ],
    });
    const control = controlledCaller();

    const run = runPipeline(pipeline, { caller: control.caller });
    await control.started('db.dump');
    const [call] = control.calls;
    await vi.advanceTimersByTimeAsync(249);
    expect(call?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await run;

    expect(call?.timeoutMs).toBe(250);
    expect(call?.signal.aborted).toBe(true);
    expect(statuses(outcome.steps)).toEqual([
      ['slow', 'error', 'db.dump timed out after 250 ms'],
      ['after', 'skipped', 'skipped: slow did not succeed'],
    ]);
  });

  it('gives a step without timeoutMs no timeout of its own, leaving the backend its own', async () => {
    const { caller } = recordingCaller();
    const calls: StepCall[] = [];

    await runPipeline(build({ steps: [{ server: 's', tool: 't' }] }), {
      caller: (call) => {
        calls.push(call);
        return caller(call);
      },
    });

    expect(calls[0]?.timeoutMs).toBeUndefined();
    expect(calls[0]?.signal.aborted).toBe(false);
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
