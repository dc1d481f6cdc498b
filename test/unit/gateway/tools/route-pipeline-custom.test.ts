/**
 * route_pipeline with the custom scenario (steps composed by the caller), through a real SDK client over an
 * in-memory transport.
 */
import { describe, expect, it } from 'vitest';

import { useInMemorySession } from '../../../helpers/connect-in-memory.js';
import { FakeDirectory, FakeBackend, textResult } from '../../../helpers/fake-directory.js';
import { stepsOf } from '../../../helpers/pipeline-steps.js';
import { onlyText } from '../../../helpers/text-of.js';

const { connect, callTool } = useInMemorySession();

describe('route_pipeline with the custom scenario', () => {
  function twoServers() {
    const events: string[] = [];
    const a = new FakeBackend('a', {
      tools: {
        first: (args) => {
          events.push('a.first');
          return textResult(`first ${JSON.stringify(args)}`);
        },
      },
    });
    const b = new FakeBackend('b', {
      tools: {
        second: (args) => {
          events.push('b.second');
          return textResult(`second ${JSON.stringify(args)}`);
        },
      },
    });
    return { a, b, events, directory: new FakeDirectory([a, b]) };
  }

  const customSteps = [
    { id: 'one', server: 'a', tool: 'first', params: { n: 1 } },
    { server: 'b', tool: 'second', params: { n: 2 }, after: ['one'] },
  ];

  it('runs steps given as an array, naming steps without id step<N>', async () => {
    const { a, b, events, directory } = twoServers();
    await connect(directory);

    const result = await callTool('route_pipeline', { scenario: 'custom', steps: customSteps });

    expect(events).toEqual(['a.first', 'b.second']);
    expect(a.calls.map((call) => call.args)).toEqual([{ n: 1 }]);
    expect(b.calls.map((call) => call.args)).toEqual([{ n: 2 }]);
    expect(result.structuredContent).toMatchObject({ scenario: 'custom', ok: true });
    expect(stepsOf(result).map((step) => [step.id, step.server, step.tool, step.status])).toEqual([
      ['one', 'a', 'first', 'ok'],
      ['step2', 'b', 'second', 'ok'],
    ]);
  });

  it('runs steps given as a JSON string the same way', async () => {
    const { a, b, events, directory } = twoServers();
    await connect(directory);

    const result = await callTool('route_pipeline', {
      scenario: 'custom',
      steps: JSON.stringify(customSteps),
    });

    expect(events).toEqual(['a.first', 'b.second']);
    expect(a.calls.map((call) => call.args)).toEqual([{ n: 1 }]);
    expect(b.calls.map((call) => call.args)).toEqual([{ n: 2 }]);
    expect(stepsOf(result).map((step) => step.id)).toEqual(['one', 'step2']);
  });

  it('reports a step without a tool, given in a JSON string, naming the step index and the field', async () => {
    const { events, directory } = twoServers();
    await connect(directory);

    const result = await callTool('route_pipeline', {
      scenario: 'custom',
      steps: '[{"server": "a", "tool": "first"}, {"server": "b"}]',
    });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'invalid "steps" for the custom scenario:\n  at 1.tool: Invalid input: expected string, received undefined',
    );
    expect(events).toEqual([]);
  });

  it('reports a step without a tool, given in an array, as invalid steps without running anything', async () => {
    const { events, directory } = twoServers();
    await connect(directory);

    const result = await callTool('route_pipeline', {
      scenario: 'custom',
      steps: [{ server: 'a', tool: 'first' }, { server: 'b' }],
    });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'invalid arguments for route_pipeline:\n  at steps.1.tool: Invalid input: expected string, received undefined',
    );
    expect(events).toEqual([]);
  });

  it('runs a step whose "after" names a step written after it once that step is done', async () => {
    const { events, directory } = twoServers();
    await connect(directory);

    const result = await callTool('route_pipeline', {
      scenario: 'custom',
      steps: [
        { id: 'one', server: 'a', tool: 'first', after: ['two'] },
        { id: 'two', server: 'b', tool: 'second' },
      ],
    });

    expect(events).toEqual(['b.second', 'a.first']);
    expect(stepsOf(result).map((step) => [step.id, step.status])).toEqual([
      ['one', 'ok'],
      ['two', 'ok'],
    ]);
  });

  it('reports steps waiting for each other as a cycle, without running anything', async () => {
    const { events, directory } = twoServers();
    await connect(directory);

    const result = await callTool('route_pipeline', {
      scenario: 'custom',
      steps: [
        { id: 'one', server: 'a', tool: 'first', after: ['two'] },
        { id: 'two', server: 'b', tool: 'second', after: ['one'] },
      ],
    });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('pipeline "custom", step "one": "after" makes a cycle: one -> two -> one');
    expect(events).toEqual([]);
  });

  it('reports "after" naming an unknown step as an error naming it', async () => {
    const { directory } = twoServers();
    await connect(directory);

    const result = await callTool('route_pipeline', {
      scenario: 'custom',
      steps: [{ server: 'a', tool: 'first', after: ['missing'] }],
    });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'pipeline "custom", step "step1": "after" names "missing", which is not a step of this pipeline (its steps: step1)',
    );
  });

  it('reports an empty list of steps, as an array or a JSON string, as an error showing the expected shape', async () => {
    await connect(new FakeDirectory());

    const fromArray = await callTool('route_pipeline', { scenario: 'custom', steps: [] });
    const fromString = await callTool('route_pipeline', { scenario: 'custom', steps: '[]' });

    for (const result of [fromArray, fromString]) {
      expect(result.isError).toBe(true);
      expect(onlyText(result)).toBe('the custom scenario needs "steps": [{server, tool, params}, ...]');
    }
  });

  it('reports missing steps as an error naming steps', async () => {
    await connect(new FakeDirectory());

    const result = await callTool('route_pipeline', { scenario: 'custom' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'invalid "steps" for the custom scenario:\n  at (root): Invalid input: expected array, received undefined',
    );
  });

  it('reports steps that are not valid JSON as an error naming steps and the position', async () => {
    await connect(new FakeDirectory());

    const result = await callTool('route_pipeline', { scenario: 'custom', steps: '[{"server": "a",}]' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toMatch(/^steps is not valid JSON: .*\(line 1, column 17\)$/);
  });

  it("fails a step whose tool the backend's tools filter holds back, and runs nothing after it", async () => {
    const a = new FakeBackend('a', {
      tools: { first: textResult('first'), drop: textResult('dropped') },
      toolFilter: { allow: ['first'] },
    });
    const b = new FakeBackend('b', { tools: { second: textResult('second') } });
    await connect(new FakeDirectory([a, b]));

    const result = await callTool('route_pipeline', {
      scenario: 'custom',
      steps: [
        { id: 'drop', server: 'a', tool: 'drop' },
        { id: 'next', server: 'b', tool: 'second', after: ['drop'] },
      ],
    });

    expect(a.calls).toEqual([]);
    expect(b.calls).toEqual([]);
    const [drop] = stepsOf(result);
    expect(drop).toMatchObject({ id: 'drop', status: 'error' });
    expect(drop?.error).toContain(
      'server "a" does not expose tool "drop": its config\'s "tools" allow list (first)',
    );
    expect(result.structuredContent).toMatchObject({ ok: false });
  });
});
