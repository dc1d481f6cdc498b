/**
 * Config pipelines run by the real gateway process over real fixture backends: a diamond proved concurrent by the
 * order of events, templates, optional steps, progress, cancellation and timeouts reaching the backends, and
 * config validation at startup.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { callTool, CLI_PATH, PROJECT_ROOT, type StdioGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor, waitForFileContent } from '../helpers/wait-for.js';

interface StepShape {
  id: string;
  server: string;
  tool: string;
  status: string;
  optional?: boolean;
  error?: string;
  result?: { content: { type: string; text?: string }[]; structuredContent?: Record<string, unknown> };
}

interface PipelineShape {
  scenario: string;
  ok: boolean;
  steps: StepShape[];
}

const PIPELINES = {
  diamond: {
    description: 'A, then B and C side by side, then D',
    steps: [
      { id: 'D', server: 'alpha', tool: 'work', after: ['B', 'C'], params: { name: 'D', ms: 10 } },
      { id: 'A', server: 'alpha', tool: 'work', params: { name: 'A', ms: 50 } },
      // Each waits, after its own 100 ms, until the other has started: both can only succeed if they overlap.
      {
        id: 'B',
        server: 'left',
        tool: 'work',
        after: ['A'],
        params: { name: 'B', ms: 100, awaitStarted: 'C' },
      },
      {
        id: 'C',
        server: 'right',
        tool: 'work',
        after: ['A'],
        params: { name: 'C', ms: 100, awaitStarted: 'B' },
      },
    ],
  },
  arithmetic: {
    description: 'Adds, doubles, says it and keeps it',
    input: {
      a: { description: 'first number' },
      b: { description: 'second number', default: 2 },
      who: { default: 'Ada' },
      extra: { default: { tags: ['x'], n: 1 } },
    },
    steps: [
      { id: 'sum', server: 'echo', tool: 'add', params: { a: '{{input.a}}', b: '{{input.b}}' } },
      {
        id: 'twice',
        server: 'echo',
        tool: 'add',
        after: ['sum'],
        params: { a: '{{steps.sum.structured.sum}}', b: '{{ steps.sum.structured.sum }}' },
      },
      {
        id: 'say',
        server: 'echo',
        tool: 'echo',
        after: ['sum'],
        params: { text: '{{input.who}}: {{input.a}} + {{input.b}} = {{steps.sum.text}}' },
      },
      {
        id: 'keep',
        server: 'alpha',
        tool: 'work',
        after: ['twice'],
        params: {
          name: 'keep',
          sum: '{{steps.sum.structured}}',
          twice: '{{steps.twice.structured.sum}}',
          extra: '{{input.extra}}',
          line: 'extra={{input.extra}}',
        },
      },
    ],
  },
  flaky: {
    steps: [
      { id: 'f', server: 'echo', tool: 'fail', optional: true },
      {
        id: 'then',
        server: 'echo',
        tool: 'echo',
        after: ['f'],
        params: { text: 'fail was an error: {{steps.f.isError}}; it said: {{steps.f.text}}' },
      },
    ],
  },
  hang: {
    steps: [
      { id: 'wait', server: 'echo', tool: 'slow', params: { ms: 30_000 } },
      { id: 'never', server: 'alpha', tool: 'work', after: ['wait'], params: { name: 'never' } },
    ],
  },
  impatient: {
    steps: [
      { id: 'wait', server: 'echo', tool: 'slow', params: { ms: 30_001 }, timeoutMs: 300 },
      { id: 'later', server: 'alpha', tool: 'work', after: ['wait'], params: { name: 'later' } },
    ],
  },
};

describe('config pipelines run by the gateway over stdio, with fixture backends', () => {
  const sandbox = useProcessSandbox('gateway-pipelines-');
  let gateway: StdioGateway;
  let eventsFile: string;
  let cancelFile: string;
  /** Every message the gateway sent the client, in arrival order, before the SDK handles it. */
  const received: JSONRPCMessage[] = [];

  beforeAll(async () => {
    eventsFile = path.join(sandbox.dir, 'events.txt');
    cancelFile = path.join(sandbox.dir, 'cancelled.txt');
    await writeFile(eventsFile, '');
    const recorder = {
      command: process.execPath,
      args: [fixturePath('recorder.mjs')],
      env: { ...sandbox.env, FIXTURE_EVENTS_FILE: eventsFile },
    };
    const config = {
      servers: {
        alpha: recorder,
        left: recorder,
        right: recorder,
        echo: {
          command: process.execPath,
          args: [fixturePath('echo.mjs')],
          env: { ...sandbox.env, FIXTURE_CANCEL_FILE: cancelFile },
        },
      },
      pipelines: PIPELINES,
    };
    const file = path.join(sandbox.dir, 'gateway-config.json');
    await writeFile(file, JSON.stringify(config, null, 2));
    gateway = await sandbox.connectStdio(['--auto-register', file]);
    const deliver = gateway.transport.onmessage;
    gateway.transport.onmessage = (message: JSONRPCMessage) => {
      received.push(message);
      deliver?.(message);
    };
  });

  /** The lines appended to the events file since `from` lines were there. */
  async function eventsSince(from: number): Promise<string[]> {
    return (await readFile(eventsFile, 'utf8')).split('\n').filter(Boolean).slice(from);
  }

  async function eventCount(): Promise<number> {
    return (await eventsSince(0)).length;
  }

  it('describes each config pipeline with its inputs in route_pipeline', async () => {
    const { tools } = await gateway.client.listTools();
    const description = tools.find((tool) => tool.name === 'route_pipeline')?.description ?? '';

    expect(description).toContain('- diamond: A, then B and C side by side, then D\n');
    expect(description).toContain(
      '- arithmetic: Adds, doubles, says it and keeps it\n  input: a (required): first number; b (default 2): ' +
        'second number; who (default "Ada"); extra (default {"tags":["x"],"n":1})',
    );
  });

  it('runs a diamond: B and C start after A ends and overlap, D starts after both end, with progress after each', async () => {
    const before = await eventCount();
    const firstMessage = received.length;

    const result = await gateway.client.callTool(
      { name: 'route_pipeline', arguments: { scenario: 'diamond' } },
      { onprogress: () => undefined },
    );

    const structured = result.structuredContent as PipelineShape;
    expect(structured.ok).toBe(true);
    expect(structured.steps.map((step) => [step.id, step.server, step.status])).toEqual([
      ['D', 'alpha', 'ok'],
      ['A', 'alpha', 'ok'],
      ['B', 'left', 'ok'],
      ['C', 'right', 'ok'],
    ]);
    const events = await eventsSince(before);
    expect(events.slice(0, 2)).toEqual(['start A', 'end A']);
    // Both started before either ended: they were in flight together.
    expect(events.slice(2, 4).sort()).toEqual(['start B', 'start C']);
    expect(events.slice(4, 6).sort()).toEqual(['end B', 'end C']);
    expect(events.slice(6)).toEqual(['start D', 'end D']);

    // On the wire: one progress notification per finished step, in the order they finished, then the result.
    const messages = received.slice(firstMessage);
    const progress = messages
      .filter((message) => 'method' in message && message.method === 'notifications/progress')
      .map((message) => ('params' in message ? message.params : undefined)) as {
      progress: number;
      total: number;
      message: string;
    }[];
    expect(progress.map((item) => [item.progress, item.total])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    // B and C end in either order (two processes, two pipes); A is first and D last either way.
    const messagesInOrder = progress.map((item) => item.message);
    expect([messagesInOrder[0], messagesInOrder.slice(1, 3).sort(), messagesInOrder[3]]).toEqual([
      'A: ok',
      ['B: ok', 'C: ok'],
      'D: ok',
    ]);
    const resultAt = messages.findIndex((message) => 'result' in message);
    const lastProgressAt = messages.findLastIndex(
      (message) => 'method' in message && message.method === 'notifications/progress',
    );
    expect(resultAt).toBeGreaterThan(lastProgressAt);
  });

  it('passes templated values to the backends with their JSON type: strings, numbers and objects', async () => {
    const result = await callTool(gateway.client, 'route_pipeline', {
      scenario: 'arithmetic',
      input: { a: 3 },
    });

    const structured = result.structuredContent as PipelineShape;
    expect(structured.steps.map((step) => [step.id, step.status, step.error])).toEqual([
      ['sum', 'ok', undefined],
      ['twice', 'ok', undefined],
      ['say', 'ok', undefined],
      ['keep', 'ok', undefined],
    ]);
    const byId = new Map(structured.steps.map((step) => [step.id, step]));
    // echo.add rejects anything but numbers: the sums prove numbers stayed numbers.
    expect(byId.get('twice')?.result?.structuredContent).toEqual({ sum: 10 });
    expect(byId.get('say')?.result?.content).toEqual([{ type: 'text', text: 'Ada: 3 + 2 = 5' }]);
    expect(byId.get('keep')?.result?.structuredContent).toEqual({
      name: 'keep',
      args: {
        name: 'keep',
        sum: { sum: 5 },
        twice: 10,
        extra: { tags: ['x'], n: 1 },
        line: 'extra={"tags":["x"],"n":1}',
      },
    });
  });

  it('reports a missing required input without calling any backend', async () => {
    const result = await callTool(gateway.client, 'route_pipeline', { scenario: 'arithmetic' });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('pipeline "arithmetic" needs the input "a" (first number)');
  });

  it('runs the step after an optional step that failed, which reads the failure, and the run is ok', async () => {
    const result = await callTool(gateway.client, 'route_pipeline', { scenario: 'flaky' });

    expect(result.isError).toBeUndefined();
    const structured = result.structuredContent as PipelineShape;
    expect(structured.ok).toBe(true);
    expect(structured.steps.map((step) => [step.id, step.status, step.optional, step.error])).toEqual([
      ['f', 'error', true, 'fail: requested failure'],
      ['then', 'ok', undefined, undefined],
    ]);
    expect(textOf(result)).toContain('fail was an error: true; it said: fail: requested failure');
  });

  it('cancelling route_pipeline cancels the step call in flight at the backend and starts no further step', async () => {
    const controller = new AbortController();
    const pending = gateway.client.callTool(
      { name: 'route_pipeline', arguments: { scenario: 'hang' } },
      {
        signal: controller.signal,
      },
    );
    await waitFor(() => gateway.stderr().includes('slow started 30000'), {
      description: 'the slow step to start',
    });

    controller.abort('the user pressed stop');

    await expect(pending).rejects.toThrow();
    await waitForFileContent(cancelFile, (content) => content.includes('cancelled 30000\n'));
    // Calls to alpha travel in order on one pipe: had "never" been sent, it would have started before this one.
    await callTool(gateway.client, 'call_backend', {
      server: 'alpha',
      tool: 'work',
      params: { name: 'probe' },
    });
    const events = await eventsSince(0);
    expect(events).toContain('start probe');
    expect(events).not.toContain('start never');
  });

  it("ends a step at its timeoutMs, cancelling the backend's call, and skips the steps after it", async () => {
    const result = await callTool(gateway.client, 'route_pipeline', { scenario: 'impatient' });

    const structured = result.structuredContent as PipelineShape;
    expect(structured.steps.map((step) => [step.id, step.status, step.error])).toEqual([
      ['wait', 'error', 'echo.slow timed out after 300 ms'],
      ['later', 'skipped', 'skipped: wait did not succeed'],
    ]);
    await waitForFileContent(cancelFile, (content) => content.includes('cancelled 30001\n'));
    expect(await eventsSince(0)).not.toContain('start later');
  });
});

describe('a config file with a broken pipeline', () => {
  const sandbox = useProcessSandbox('gateway-pipelines-config-');

  it('stops the gateway at startup with exit code 1, naming the pipeline, the step and the cycle', async () => {
    const file = path.join(sandbox.dir, 'cycle.json');
    await writeFile(
      file,
      JSON.stringify({
        pipelines: {
          loop: {
            steps: [
              { id: 'a', server: 's', tool: 't', after: ['b'] },
              { id: 'b', server: 's', tool: 't', after: ['a'] },
            ],
          },
        },
      }),
    );
    const child = spawn(process.execPath, [CLI_PATH, '--auto-register', file], {
      cwd: PROJECT_ROOT,
      stdio: 'pipe',
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdin.end();

    const [code] = (await once(child, 'exit')) as [number | null];

    expect(code).toBe(1);
    expect(stderr).toContain(`${file}: invalid config:`);
    expect(stderr).toContain(
      'at pipelines.loop.steps.0.after: pipeline "loop", step "a": "after" makes a cycle: a -> b -> a',
    );
  });
});
