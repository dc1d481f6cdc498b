/**
 * route_pipeline as a product: config pipelines with inputs and templates, the scenario list kept current for
 * clients (tools/list_changed), per-step timeouts and optional steps, over an in-memory directory.
 */
import type { RequestOptions, CallToolResult, Progress } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';

import { PipelineCatalog } from '../../../../src/pipelines/pipeline-catalog.js';
import { closeInMemoryGateways, connectInMemory } from '../../../helpers/connect-in-memory.js';
import {
  deferred,
  FakeBackend,
  FakeDirectory,
  textResult,
  type Deferred,
} from '../../../helpers/fake-directory.js';
import { stepsOf } from '../../../helpers/pipeline-steps.js';
import { textOf } from '../../../helpers/text-of.js';

afterEach(closeInMemoryGateways);

/** A real client connected to a gateway over the given directory and catalog, with route_pipeline at hand. */
async function connect(directory: FakeDirectory, pipelines = new PipelineCatalog()) {
  const session = await connectInMemory(directory, { pipelines, clientName: 'route-pipeline-test' });
  const callTool = (args: Record<string, unknown>, options?: RequestOptions): Promise<CallToolResult> =>
    session.callTool('route_pipeline', args, options);
  const description = async (): Promise<string> =>
    (await session.client.listTools()).tools.find((tool) => tool.name === 'route_pipeline')?.description ??
    '';
  return { ...session, callTool, description };
}

/** A backend whose tools wait until the test releases them, logging `start x` and `end x`. */
function gatedBackend(name: string, tools: readonly string[]) {
  const events: string[] = [];
  const started = new Map(tools.map((tool) => [tool, deferred()]));
  const release = new Map(tools.map((tool) => [tool, deferred<CallToolResult>()]));
  const get = <T>(map: Map<string, Deferred<T>>, tool: string): Deferred<T> => {
    const found = map.get(tool);
    if (!found) throw new Error(`no tool ${tool}`);
    return found;
  };
  const backend = new FakeBackend(name, {
    tools: Object.fromEntries(
      tools.map((tool) => [
        tool,
        async () => {
          events.push(`start ${tool}`);
          get(started, tool).resolve();
          const result = await get(release, tool).promise;
          events.push(`end ${tool}`);
          return result;
        },
      ]),
    ),
  });
  return {
    backend,
    events,
    started: (tool: string) => get(started, tool).promise,
    release: (tool: string, result: CallToolResult = textResult(`${tool} done`)) =>
      get(release, tool).resolve(result),
  };
}

describe('the scenarios route_pipeline lists', () => {
  it('include every pipeline with its description and inputs: defaults, required and optional ones', async () => {
    const pipelines = new PipelineCatalog({
      brief: {
        description: 'Alerts for a state, written down',
        input: {
          state: { description: 'US state', default: 'NY' },
          title: { description: 'title of the note' },
          tags: { required: false },
        },
        steps: [{ server: 'notes', tool: 'write', params: { text: '{{input.title}} {{input.state}}' } }],
      },
    });
    const { description } = await connect(new FakeDirectory([new FakeBackend('notes')]), pipelines);

    const lines = (await description()).split('\n');

    expect(lines).toContain('- brief: Alerts for a state, written down');
    expect(lines).toContain(
      '  input: state (default "NY"): US state; title (required): title of the note; tags (optional)',
    );
    expect(
      lines.filter((line) => line.startsWith('- ')).map((line) => line.slice(2, line.indexOf(':'))),
    ).toEqual(['brief', 'custom']);
  });

  it('leave out a pipeline until all its backends are registered, and tell clients when it comes and goes', async () => {
    const pipelines = new PipelineCatalog({
      report: {
        description: 'Two backends',
        steps: [
          { server: 'db', tool: 'q' },
          { server: 'mail', tool: 'send' },
        ],
      },
    });
    const directory = new FakeDirectory([new FakeBackend('db')]);
    const session = await connect(directory, pipelines);
    expect(await session.description()).not.toContain('- report:');

    directory.add(new FakeBackend('mail'));
    await session.told(1);
    expect(await session.description()).toContain('- report: Two backends');

    await directory.remove('db');
    await session.told(2);
    expect(await session.description()).not.toContain('- report:');
  });

  it('change when a reload replaces the pipelines, and every connected client is told each time', async () => {
    const pipelines = new PipelineCatalog({ old: { steps: [{ server: 'a', tool: 'x' }] } });
    const first = await connect(new FakeDirectory([new FakeBackend('a')]), pipelines);
    const second = await connect(new FakeDirectory([new FakeBackend('a')]), pipelines);

    pipelines.replace({ brief: { description: 'first version', steps: [{ server: 'a', tool: 'x' }] } });
    await Promise.all([first.told(1), second.told(1)]);
    expect(await first.description()).toContain('- brief: first version');
    pipelines.replace({ brief: { description: 'second version', steps: [{ server: 'a', tool: 'x' }] } });
    pipelines.replace({ brief: { description: 'second version', steps: [{ server: 'a', tool: 'x' }] } });
    await Promise.all([first.told(2), second.told(2)]);
    // A round trip after the last change: a third notification would have arrived before its answer.
    await Promise.all([first.client.ping(), second.client.ping()]);

    expect([first.listChanges(), second.listChanges()]).toEqual([2, 2]);
    const description = await second.description();
    expect(description).toContain('- brief: second version');
    expect(description).not.toContain('- old');
  });

  it('stop being watched by a gateway instance once it is closed', async () => {
    const pipelines = new PipelineCatalog();
    const { gateway } = await connect(new FakeDirectory(), pipelines);
    expect(pipelines.listenerCount('changed')).toBe(1);

    await gateway.close();

    expect(pipelines.listenerCount('changed')).toBe(0);
  });

  it('run a pipeline a reload added while the gateway is running', async () => {
    const pipelines = new PipelineCatalog();
    const notes = new FakeBackend('notes', { tools: { write: (args) => textResult(JSON.stringify(args)) } });
    const { callTool } = await connect(new FakeDirectory([notes]), pipelines);

    pipelines.replace({
      jot: {
        input: { text: {} },
        steps: [{ id: 'w', server: 'notes', tool: 'write', params: { body: 'note: {{input.text}}' } }],
      },
    });
    const result = await callTool({ scenario: 'jot', input: { text: 'hello' } });

    expect(notes.calls.map((call) => call.args)).toEqual([{ body: 'note: hello' }]);
    expect(stepsOf(result).map((step) => [step.id, step.status])).toEqual([['w', 'ok']]);
  });
});

describe('route_pipeline with config pipelines', () => {
  it('reports a missing required input as an error naming it, without running any step', async () => {
    const notes = new FakeBackend('notes', { tools: { write: textResult('ok') } });
    const pipelines = new PipelineCatalog({
      jot: {
        input: { text: { description: 'what to write' } },
        steps: [{ server: 'notes', tool: 'write', params: { body: '{{input.text}}' } }],
      },
    });
    const { callTool } = await connect(new FakeDirectory([notes]), pipelines);

    const result = await callTool({ scenario: 'jot' });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('pipeline "jot" needs the input "text" (what to write)');
    expect(notes.calls).toEqual([]);
  });

  it("passes a step's timeoutMs to the backend call, and no timeout for a step without one", async () => {
    const db = new FakeBackend('db', { tools: { quick: textResult('q'), slow: textResult('s') } });
    const pipelines = new PipelineCatalog({
      timed: {
        steps: [
          { id: 'quick', server: 'db', tool: 'quick', timeoutMs: 500 },
          { id: 'slow', server: 'db', tool: 'slow' },
        ],
      },
    });
    const { callTool } = await connect(new FakeDirectory([db]), pipelines);

    await callTool({ scenario: 'timed' });

    expect(db.calls.map((call) => [call.tool, call.options?.timeoutMs])).toEqual([
      ['quick', 500],
      ['slow', undefined],
    ]);
  });

  it('reports an optional step that failed as optional, runs what depends on it, and is not an error', async () => {
    const db = new FakeBackend('db', {
      tools: {
        cache: { content: [{ type: 'text', text: 'cache miss' }], isError: true },
        query: (args) => textResult(`query ${JSON.stringify(args)}`),
      },
    });
    const pipelines = new PipelineCatalog({
      cached: {
        steps: [
          { id: 'cache', server: 'db', tool: 'cache', optional: true },
          {
            id: 'query',
            server: 'db',
            tool: 'query',
            after: ['cache'],
            params: { fresh: '{{steps.cache.isError}}' },
          },
        ],
      },
    });
    const { callTool } = await connect(new FakeDirectory([db]), pipelines);

    const result = await callTool({ scenario: 'cached' });

    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toMatchObject({ scenario: 'cached', ok: true });
    expect(stepsOf(result).map(({ id, status, optional }) => ({ id, status, optional }))).toEqual([
      { id: 'cache', status: 'error', optional: true },
      { id: 'query', status: 'ok', optional: undefined },
    ]);
    expect(textOf(result)).toMatch(/## cache: db\.cache - error \(\d+ ms, optional\)\ncache miss\n/);
    expect(textOf(result)).toContain('query {"fresh":true}');
  });

  it('sends a progress notification after each step of a diamond, naming the step, in the order they end', async () => {
    const gated = gatedBackend('s', ['a', 'b', 'c', 'd']);
    const pipelines = new PipelineCatalog({
      diamond: {
        steps: [
          { id: 'A', server: 's', tool: 'a' },
          { id: 'B', server: 's', tool: 'b', after: ['A'] },
          { id: 'C', server: 's', tool: 'c', after: ['A'] },
          { id: 'D', server: 's', tool: 'd', after: ['B', 'C'] },
        ],
      },
    });
    const { callTool } = await connect(new FakeDirectory([gated.backend]), pipelines);
    const progress: Progress[] = [];
    const progressCount = new Map<number, Deferred>([1, 2, 3, 4].map((count) => [count, deferred()]));

    const pending = callTool(
      { scenario: 'diamond' },
      {
        onprogress: (notification) => {
          progress.push(notification);
          progressCount.get(progress.length)?.resolve();
        },
      },
    );
    await gated.started('a');
    gated.release('a');
    await Promise.all([gated.started('b'), gated.started('c'), progressCount.get(1)?.promise]);
    gated.release('c');
    await progressCount.get(2)?.promise;
    gated.release('b');
    await gated.started('d');
    gated.release('d');
    await pending;

    expect(gated.events).toEqual([
      'start a',
      'end a',
      'start b',
      'start c',
      'end c',
      'end b',
      'start d',
      'end d',
    ]);
    expect(progress).toEqual([
      { progress: 1, total: 4, message: 'A: ok' },
      { progress: 2, total: 4, message: 'C: ok' },
      { progress: 3, total: 4, message: 'B: ok' },
      { progress: 4, total: 4, message: 'D: ok' },
    ]);
  });
});

describe('route_pipeline with the custom scenario', () => {
  it('renders templates in the given steps from the input and earlier results', async () => {
    const db = new FakeBackend('db', {
      tools: {
        find: {
          content: [{ type: 'text', text: 'found Ada' }],
          structuredContent: { rows: [{ id: 7, name: 'Ada' }] },
        },
        load: (args) => textResult(JSON.stringify(args)),
      },
    });
    const { callTool } = await connect(new FakeDirectory([db]));

    const result = await callTool({
      scenario: 'custom',
      input: { who: 'Ada' },
      steps: [
        { id: 'find', server: 'db', tool: 'find', params: { name: '{{input.who}}' } },
        {
          id: 'load',
          server: 'db',
          tool: 'load',
          after: ['find'],
          params: {
            id: '{{steps.find.structured.rows[0].id}}',
            row: '{{steps.find.structured.rows[0]}}',
            note: '{{steps.find.text}}!',
          },
        },
      ],
    });

    expect(db.calls.map((call) => call.args)).toEqual([
      { name: 'Ada' },
      { id: 7, row: { id: 7, name: 'Ada' }, note: 'found Ada!' },
    ]);
    expect(stepsOf(result).map((step) => step.status)).toEqual(['ok', 'ok']);
  });

  it('reports a malformed template in the given steps before running anything, naming the step and param', async () => {
    const db = new FakeBackend('db', { tools: { find: textResult('x') } });
    const { callTool } = await connect(new FakeDirectory([db]));

    const result = await callTool({
      scenario: 'custom',
      steps: [
        { id: 'one', server: 'db', tool: 'find' },
        { id: 'two', server: 'db', tool: 'find', params: { q: '{{steps.one.text}}' } },
      ],
    });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'pipeline "custom", step "two": params.q: {{steps.one.text}} reads step "one", which this step does not ' +
        'wait for: add "one" to its "after" (directly or through another step)',
    );
    expect(db.calls).toEqual([]);
  });
});
