import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolResultSchema,
  ErrorCode,
  McpError,
  type CallToolResult,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';

import { GatewayError } from '../../../src/errors.js';
import { createGateway, type GatewayInstance } from '../../../src/gateway/create-gateway.js';
import type { UpstreamCallOptions } from '../../../src/gateway/upstream.js';
import { silentLogger } from '../../../src/logger.js';
import { PipelineCatalog } from '../../../src/pipelines/build-pipeline.js';
import { deferred, FakeDirectory, FakeUpstream, textResult, type RecordedCall } from './fake-directory.js';
import { GATEWAY_TOOL_NAMES } from '../../helpers/gateway-tool-names.js';

const BASE_DIR = '/srv/gateway';
let client: Client | undefined;
let gateway: GatewayInstance | undefined;

afterEach(async () => {
  await client?.close();
  await gateway?.close();
  client = undefined;
  gateway = undefined;
});

/**
 * Connects a real SDK client to a gateway over the given directory. The client lists the tools first, so it
 * checks every `structuredContent` it receives against the advertised output schema.
 */
async function connect(directory: FakeDirectory, pipelines = new PipelineCatalog()): Promise<Client> {
  gateway = createGateway({ directory, pipelines, baseDir: BASE_DIR, logger: silentLogger });
  client = new Client({ name: 'unit-test', version: '1.0.0' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([client.connect(clientTransport), gateway.connect(serverTransport)]);
  await client.listTools();
  return client;
}

function connected(): Client {
  if (!client) throw new Error('connect() first');
  return client;
}

async function callTool(
  name: string,
  args: Record<string, unknown> = {},
  options?: RequestOptions,
): Promise<CallToolResult> {
  return CallToolResultSchema.parse(
    await connected().callTool({ name, arguments: args }, undefined, options),
  );
}

/** The text of a result made of exactly one text item. */
function onlyText(result: CallToolResult): string {
  expect(result.content).toHaveLength(1);
  const [item] = result.content;
  if (item?.type !== 'text') throw new Error(`expected one text item, got ${JSON.stringify(result.content)}`);
  return item.text;
}

/** The options a recorded call received; fails when there were none. */
function optionsOf(call: RecordedCall | undefined): UpstreamCallOptions {
  if (!call?.options) throw new Error(`expected a call with options, got ${JSON.stringify(call)}`);
  return call.options;
}

/** Resolves when the signal is aborted (at once if it already is). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return Promise.reject(new Error('no signal was passed'));
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** A fake tool that waits until its call is cancelled, then rejects like a real upstream does. */
function waitForCancellation(
  started: () => void,
): (args: Record<string, unknown>, options: UpstreamCallOptions | undefined) => Promise<CallToolResult> {
  return async (_args, options) => {
    started();
    await aborted(options?.signal);
    throw new GatewayError('cancelled', 'the call was cancelled');
  };
}

describe('tools/list', () => {
  it('lists exactly the gateway tools, in order, each with an object input schema', async () => {
    await connect(new FakeDirectory());

    const { tools } = await connected().listTools();

    expect(tools.map((tool) => tool.name)).toEqual(GATEWAY_TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.description?.length ?? 0).toBeGreaterThan(20);
    }
    const callBackend = tools.find((tool) => tool.name === 'call_backend');
    expect(callBackend?.inputSchema.required).toEqual(['server', 'tool']);
    expect(Object.keys(callBackend?.inputSchema.properties ?? {})).toEqual(['server', 'tool', 'params']);
    const routePipeline = tools.find((tool) => tool.name === 'route_pipeline');
    expect(routePipeline?.inputSchema.required).toEqual(['scenario']);
    expect(Object.keys(routePipeline?.inputSchema.properties ?? {})).toEqual(['scenario', 'input', 'steps']);
  });

  it('declares object output schemas for every tool but call_backend, whose results are the backends own', async () => {
    await connect(new FakeDirectory());

    const { tools } = await connected().listTools();

    const outputSchemas = Object.fromEntries(tools.map((tool) => [tool.name, tool.outputSchema]));
    expect(outputSchemas.call_backend).toBeUndefined();
    for (const name of ['register_server', 'remove_server', 'list_servers', 'route_pipeline']) {
      expect(outputSchemas[name]?.type).toBe('object');
    }
    expect(outputSchemas.register_server?.required).toEqual(['name', 'status', 'tools']);
    expect(outputSchemas.remove_server?.required).toEqual(['name', 'removed']);
    expect(outputSchemas.list_servers?.required).toEqual(['servers', 'conflicts']);
    expect(outputSchemas.route_pipeline?.required).toEqual(['scenario', 'ok', 'durationMs', 'steps']);
  });

  it('lists the built-in scenarios, every config pipeline and custom in the description of route_pipeline', async () => {
    const pipelines = new PipelineCatalog({
      nightly: { description: 'Nightly export of the orders', steps: [{ server: 'sqlite', tool: 'export' }] },
    });
    await connect(new FakeDirectory(), pipelines);

    const { tools } = await connected().listTools();

    const description = tools.find((tool) => tool.name === 'route_pipeline')?.description ?? '';
    const scenarioLines = description.split('\n').filter((line) => line.startsWith('- '));
    expect(scenarioLines.map((line) => line.slice(2, line.indexOf(':')))).toEqual([
      'weather-analysis',
      'database-report',
      'nightly',
      'custom',
    ]);
    expect(description).toContain('- nightly: Nightly export of the orders');
  });
});

describe('an unknown gateway tool', () => {
  it('is rejected with JSON-RPC error -32602 whose message lists the available tools', async () => {
    await connect(new FakeDirectory());

    const error = await connected()
      .callTool({ name: 'get_weather', arguments: {} })
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );

    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((error as McpError).message).toContain(
      'Unknown tool "get_weather"; available: register_server, remove_server, list_servers, call_backend, route_pipeline',
    );
  });

  it('is reported without a doubled "MCP error -32602" prefix', async () => {
    await connect(new FakeDirectory());

    const error = await connected()
      .callTool({ name: 'get_weather', arguments: {} })
      .then(
        () => undefined,
        (reason: unknown) => reason,
      );

    expect((error as Error).message).toBe(
      'MCP error -32602: Unknown tool "get_weather"; available: register_server, remove_server, list_servers, ' +
        'call_backend, route_pipeline, search_tools',
    );
  });
});

describe('call_backend', () => {
  function echoUpstream(): FakeUpstream {
    return new FakeUpstream('files', {
      tools: {
        read_file: (args) => textResult(`read ${JSON.stringify(args)}`),
        write_file: textResult('ok'),
      },
    });
  }

  it('passes params given as an object to the upstream unchanged', async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files]));
    const params = {
      path: '/tmp/a b.txt',
      options: { encoding: 'utf8', lines: [1, 2] },
      strict: true,
      limit: null,
    };

    const result = await callTool('call_backend', { server: 'files', tool: 'read_file', params });

    expect(files.calls.map((call) => [call.tool, call.args])).toEqual([['read_file', params]]);
    expect(onlyText(result)).toBe(`read ${JSON.stringify(params)}`);
  });

  it('parses params given as a JSON string and passes the object to the upstream unchanged', async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files]));

    await callTool('call_backend', {
      server: 'files',
      tool: 'read_file',
      params: '{"path": "/tmp/x", "nested": {"n": 1.5, "list": ["a", null]}}',
    });

    expect(files.calls[0]?.args).toEqual({ path: '/tmp/x', nested: { n: 1.5, list: ['a', null] } });
  });

  it('calls the tool with an empty object when params are omitted or an empty string', async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files]));

    await callTool('call_backend', { server: 'files', tool: 'write_file' });
    await callTool('call_backend', { server: 'files', tool: 'write_file', params: '  ' });

    expect(files.calls.map((call) => call.args)).toEqual([{}, {}]);
  });

  it('reports params that are not valid JSON as an error naming params, the line and the column', async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files]));

    const result = await callTool('call_backend', {
      server: 'files',
      tool: 'read_file',
      params: '{\n  "path": "/tmp/x",\n  "mode": }',
    });

    expect(result.isError).toBe(true);
    const text = onlyText(result);
    expect(text).toMatch(/^params is not valid JSON: /);
    expect(text).toContain('(line 3, column 11)');
    expect(files.calls).toEqual([]);
  });

  it('reports params holding a JSON array as an error saying params must be an object', async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files]));

    const result = await callTool('call_backend', { server: 'files', tool: 'read_file', params: '[1, 2]' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('params must be a JSON object, got an array');
    expect(files.calls).toEqual([]);
  });

  it('reports params given as an array value as invalid arguments at params', async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files]));

    const result = await callTool('call_backend', { server: 'files', tool: 'read_file', params: [1, 2] });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toMatch(/^invalid arguments for call_backend:\n {2}at params: /);
    expect(files.calls).toEqual([]);
  });

  it('reports a missing server argument as invalid arguments naming the field', async () => {
    await connect(new FakeDirectory([echoUpstream()]));

    const result = await callTool('call_backend', { tool: 'read_file' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'invalid arguments for call_backend:\n  at server: Invalid input: expected string, received undefined',
    );
  });

  it('reports an unknown server as an error listing the registered servers', async () => {
    await connect(new FakeDirectory([echoUpstream(), new FakeUpstream('weather')]));

    const result = await callTool('call_backend', { server: 'sqlite', tool: 'read_query' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('unknown server "sqlite"; registered: files, weather');
  });

  it('says "none" for the registered servers when there are none', async () => {
    await connect(new FakeDirectory());

    const result = await callTool('call_backend', { server: 'sqlite', tool: 'read_query' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('unknown server "sqlite"; registered: none');
  });

  it('reports an unknown tool of a ready server as an error listing that server tools, without calling it', async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files, new FakeUpstream('other', { tools: { zap: textResult('') } })]));

    const result = await callTool('call_backend', { server: 'files', tool: 'delete_file' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'server "files" has no tool "delete_file"; its tools: read_file, write_file',
    );
    expect(files.calls).toEqual([]);
  });

  it('forwards the call to a server that is still starting without checking its tool list', async () => {
    const starting = new FakeUpstream('slow', { state: 'starting', tools: { echo: textResult('echoed') } });
    await connect(new FakeDirectory([starting]));
    expect(starting.tools()).toEqual([]);

    const result = await callTool('call_backend', { server: 'slow', tool: 'echo' });

    expect(starting.calls.map((call) => call.tool)).toEqual(['echo']);
    expect(result).toEqual(textResult('echoed'));
  });

  it("returns the upstream's result unchanged: text, image and structuredContent", async () => {
    const upstreamResult: CallToolResult = {
      content: [
        { type: 'text', text: 'chart for CA' },
        { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
      ],
      structuredContent: { state: 'CA', readings: [1, 2, 3] },
    };
    await connect(new FakeDirectory([new FakeUpstream('charts', { tools: { draw: upstreamResult } })]));

    const result = await callTool('call_backend', { server: 'charts', tool: 'draw', params: {} });

    expect(result).toEqual(upstreamResult);
  });

  it('returns an upstream result that has isError: true unchanged', async () => {
    const upstreamResult: CallToolResult = {
      content: [{ type: 'text', text: 'no such table: customer' }],
      isError: true,
    };
    await connect(new FakeDirectory([new FakeUpstream('sqlite', { tools: { read_query: upstreamResult } })]));

    const result = await callTool('call_backend', { server: 'sqlite', tool: 'read_query' });

    expect(result).toEqual(upstreamResult);
  });

  it('turns a GatewayError from the upstream into an error result carrying its message', async () => {
    const weather = new FakeUpstream('weather', {
      tools: {
        get_alerts: () => {
          throw new GatewayError('timeout', 'weather.get_alerts timed out after 10000 ms', {
            server: 'weather',
            tool: 'get_alerts',
          });
        },
      },
    });
    await connect(new FakeDirectory([weather]));

    const result = await callTool('call_backend', { server: 'weather', tool: 'get_alerts' });

    expect(result).toEqual({
      content: [{ type: 'text', text: 'weather.get_alerts timed out after 10000 ms' }],
      isError: true,
    });
  });

  it('strips the SDK prefix from an MCP error raised by the upstream', async () => {
    const weather = new FakeUpstream('weather', {
      tools: {
        get_alerts: () => Promise.reject(new McpError(ErrorCode.InternalError, 'NWS answered 503')),
      },
    });
    await connect(new FakeDirectory([weather]));

    const result = await callTool('call_backend', { server: 'weather', tool: 'get_alerts' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('NWS answered 503');
  });

  it('gives the upstream an abort signal and no onProgress when the client sent no progress token', async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files]));

    await callTool('call_backend', { server: 'files', tool: 'write_file' });

    const options = optionsOf(files.calls[0]);
    expect(options.signal).toBeInstanceOf(AbortSignal);
    expect(options.signal?.aborted).toBe(false);
    expect(options.onProgress).toBeUndefined();
  });

  it("passes the client's _meta to the upstream", async () => {
    const files = echoUpstream();
    await connect(new FakeDirectory([files]));

    await connected().callTool({
      name: 'call_backend',
      arguments: { server: 'files', tool: 'write_file' },
      _meta: { traceId: 'abc-123' },
    });

    expect(optionsOf(files.calls[0]).meta).toEqual({ traceId: 'abc-123' });
  });

  it("relays the upstream's progress to the client, in order, when the client sent a progress token", async () => {
    const steps: Progress[] = [
      { progress: 1, total: 3, message: 'reading' },
      { progress: 2, total: 3, message: 'parsing' },
      { progress: 3, total: 3, message: 'done' },
    ];
    const files = new FakeUpstream('files', {
      tools: {
        index: (_args, options) => {
          for (const step of steps) options?.onProgress?.(step);
          return textResult('indexed');
        },
      },
    });
    await connect(new FakeDirectory([files]));
    const received: Progress[] = [];

    const result = await callTool(
      'call_backend',
      { server: 'files', tool: 'index' },
      { onprogress: (progress) => received.push(progress) },
    );

    expect(onlyText(result)).toBe('indexed');
    expect(received).toEqual(steps);
    const options = optionsOf(files.calls[0]);
    expect(options.onProgress).toBeTypeOf('function');
    expect(options.meta?.progressToken).toBeDefined();
  });

  it('aborts the signal the upstream got when the client cancels its request', async () => {
    const started = deferred();
    const files = new FakeUpstream('files', {
      tools: { slow: waitForCancellation(() => started.resolve()) },
    });
    await connect(new FakeDirectory([files]));
    const controller = new AbortController();

    const pending = callTool(
      'call_backend',
      { server: 'files', tool: 'slow' },
      { signal: controller.signal },
    );
    await started.promise;
    const signal = optionsOf(files.calls[0]).signal;
    expect(signal?.aborted).toBe(false);
    controller.abort('user pressed stop');

    await expect(pending).rejects.toThrow();
    await aborted(signal);
    expect(signal?.aborted).toBe(true);
  });
});

describe('register_server', () => {
  it('passes name, command, args, description and the base folder to the directory and renders the result', async () => {
    const directory = new FakeDirectory();
    directory.onRegister = (name, config) =>
      new FakeUpstream(name, {
        command: config.command,
        tools: { read_file: textResult(''), write_file: textResult('') },
      });
    await connect(directory);

    const result = await callTool('register_server', {
      name: 'files',
      command: 'node',
      args: ['server.js', '--root', '/data'],
      description: 'Local files',
    });

    expect(directory.registrations).toEqual([
      {
        name: 'files',
        config: { command: 'node', args: ['server.js', '--root', '/data'], description: 'Local files' },
        options: { baseDir: BASE_DIR },
      },
    ]);
    expect(result.isError).toBeUndefined();
    expect(onlyText(result)).toBe('Registered server "files" (ready) with 2 tool(s): read_file, write_file');
    expect(result.structuredContent).toEqual({
      name: 'files',
      status: 'ready',
      tools: ['read_file', 'write_file'],
    });
  });

  it('passes args given as a string to the directory as the same string', async () => {
    const directory = new FakeDirectory();
    await connect(directory);

    await callTool('register_server', {
      name: 'files',
      command: 'node',
      args: 'server.js --root "/my data"',
    });

    expect(directory.registrations[0]?.config.args).toBe('server.js --root "/my data"');
  });

  it('renders a server that is not ready yet with its state and no tools', async () => {
    const directory = new FakeDirectory();
    directory.onRegister = (name) => new FakeUpstream(name, { state: 'starting' });
    await connect(directory);

    const result = await callTool('register_server', { name: 'slow', command: 'node' });

    expect(onlyText(result)).toBe('Registered server "slow" (starting) with 0 tool(s): none');
    expect(result.structuredContent).toEqual({ name: 'slow', status: 'starting', tools: [] });
  });

  it('rejects an invalid name without asking the directory', async () => {
    const directory = new FakeDirectory();
    await connect(directory);

    const result = await callTool('register_server', { name: 'my server', command: 'node' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'invalid arguments for register_server:\n  at name: a server name is 1 to 32 letters, digits, "_" or "-"',
    );
    expect(directory.registrations).toEqual([]);
  });

  it('reports a duplicate name refused by the directory as an error with its message', async () => {
    const directory = new FakeDirectory([new FakeUpstream('files')]);
    await connect(directory);

    const result = await callTool('register_server', { name: 'files', command: 'node' });

    expect(result).toEqual({
      content: [{ type: 'text', text: 'a server named "files" is already registered' }],
      isError: true,
    });
  });

  it('reports a backend that failed to start as an error with the directory message', async () => {
    const directory = new FakeDirectory();
    directory.onRegister = (name) =>
      Promise.reject(
        new GatewayError('spawn_failed', `server "${name}": cannot start "nosuch": no such file`, {
          server: name,
        }),
      );
    await connect(directory);

    const result = await callTool('register_server', { name: 'broken', command: 'nosuch' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('server "broken": cannot start "nosuch": no such file');
    expect(directory.list()).toEqual([]);
  });
});

describe('remove_server', () => {
  it('removes the named server through the directory and renders the result', async () => {
    const directory = new FakeDirectory([new FakeUpstream('files'), new FakeUpstream('weather')]);
    await connect(directory);

    const result = await callTool('remove_server', { name: 'files' });

    expect(directory.removals).toEqual(['files']);
    expect(directory.describeNames()).toBe('weather');
    expect(onlyText(result)).toBe('Removed server "files"');
    expect(result.structuredContent).toEqual({ name: 'files', removed: true });
  });

  it('reports an unknown name as an error with the directory message', async () => {
    const directory = new FakeDirectory([new FakeUpstream('weather')]);
    await connect(directory);

    const result = await callTool('remove_server', { name: 'files' });

    expect(result).toEqual({
      content: [{ type: 'text', text: 'no server named "files"; registered: weather' }],
      isError: true,
    });
  });
});

describe('list_servers', () => {
  it('says how to add a server, and returns an empty list, when none is registered', async () => {
    await connect(new FakeDirectory());

    const result = await callTool('list_servers');

    expect(onlyText(result)).toBe(
      'No servers registered. Use register_server, or start the gateway with --auto-register.',
    );
    expect(result.structuredContent).toEqual({ servers: [], conflicts: [] });
  });

  it('renders every server info as text and returns it unchanged as structuredContent', async () => {
    const weather = new FakeUpstream('weather', {
      description: 'US weather',
      command: 'node weather.js',
      tools: { get_alerts: textResult(''), get_forecast: textResult('') },
    });
    const broken = new FakeUpstream('broken', {
      state: 'failed',
      command: 'nosuch --flag',
      info: { errors: 2, calls: 5, lastError: 'spawn nosuch ENOENT' },
    });
    await connect(new FakeDirectory([weather, broken]));

    const result = await callTool('list_servers');

    expect(result.structuredContent).toEqual({ servers: [weather.info(), broken.info()], conflicts: [] });
    expect(onlyText(result)).toBe(
      [
        '2 server(s):',
        '',
        'weather [ready] - US weather',
        '  command: node weather.js',
        '  pid: 4242, uptime 1m 1s, calls: 0, errors: 0, restarts: 0',
        '  tools (2): get_alerts, get_forecast',
        '',
        'broken [failed]',
        '  command: nosuch --flag',
        '  pid: -, calls: 5, errors: 2, restarts: 0',
        '  tools (0): none',
        '  last error: spawn nosuch ENOENT',
      ].join('\n'),
    );
  });
});

describe('route_pipeline', () => {
  interface StepShape {
    id: string;
    server: string;
    tool: string;
    status: string;
    durationMs: number;
    error?: string;
  }

  function stepsOf(result: CallToolResult): StepShape[] {
    const structured = result.structuredContent as { steps: StepShape[] } | undefined;
    if (!structured) throw new Error('no structuredContent');
    return structured.steps;
  }

  /** A weather upstream whose two tools wait for the test to release them, logging when they start and end. */
  function gatedWeather() {
    const events: string[] = [];
    const started = { alerts: deferred(), forecast: deferred() };
    const release = { alerts: deferred(), forecast: deferred() };
    const weather = new FakeUpstream('weather', {
      tools: {
        get_alerts: async (args) => {
          events.push('start get_alerts');
          started.alerts.resolve();
          await release.alerts.promise;
          events.push('end get_alerts');
          return textResult(`alerts ${JSON.stringify(args)}`);
        },
        get_forecast: async (args) => {
          events.push('start get_forecast');
          started.forecast.resolve();
          await release.forecast.promise;
          events.push('end get_forecast');
          return textResult(`forecast ${JSON.stringify(args)}`);
        },
      },
    });
    return { weather, events, started, release };
  }

  function instantWeather(): FakeUpstream {
    return new FakeUpstream('weather', {
      tools: {
        get_alerts: (args) => textResult(`alerts ${JSON.stringify(args)}`),
        get_forecast: (args) => textResult(`forecast ${JSON.stringify(args)}`),
      },
    });
  }

  function instantSqlite(events: string[] = []): FakeUpstream {
    return new FakeUpstream('sqlite', {
      tools: {
        list_tables: () => {
          events.push('list_tables');
          return textResult('customers\norders');
        },
        describe_table: (args) => {
          events.push('describe_table');
          return textResult(`schema ${JSON.stringify(args)}`);
        },
        read_query: (args) => {
          events.push('read_query');
          return textResult(`rows ${JSON.stringify(args)}`);
        },
      },
    });
  }

  it('runs the two weather-analysis steps concurrently: both have started before either is released', async () => {
    const { weather, events, started, release } = gatedWeather();
    await connect(new FakeDirectory([weather]));

    const pending = callTool('route_pipeline', { scenario: 'weather-analysis' });
    await Promise.all([started.alerts.promise, started.forecast.promise]);
    expect(events).toEqual(['start get_alerts', 'start get_forecast']);
    release.forecast.resolve();
    release.alerts.resolve();
    const result = await pending;

    expect(events.slice(2).sort()).toEqual(['end get_alerts', 'end get_forecast']);
    expect(result.isError).toBeUndefined();
    expect(stepsOf(result).map((step) => [step.id, step.status])).toEqual([
      ['alerts', 'ok'],
      ['forecast', 'ok'],
    ]);
  });

  it('calls the weather tools with the default state and location when no input is given', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    await callTool('route_pipeline', { scenario: 'weather-analysis' });

    expect(weather.calls.map((call) => [call.tool, call.args])).toEqual([
      ['get_alerts', { state: 'CA' }],
      ['get_forecast', { latitude: 37.7749, longitude: -122.4194 }],
    ]);
  });

  it('uses the input values given in place of the defaults of the declared inputs they name', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    await callTool('route_pipeline', { scenario: 'weather-analysis', input: { state: 'NY' } });

    expect(weather.calls.map((call) => [call.tool, call.args])).toEqual([
      ['get_alerts', { state: 'NY' }],
      ['get_forecast', { latitude: 37.7749, longitude: -122.4194 }],
    ]);
  });

  it('reports an input the pipeline does not declare as an error listing its inputs, without running any step', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    const result = await callTool('route_pipeline', {
      scenario: 'weather-analysis',
      input: { state: 'NY', units: 'metric' },
    });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'pipeline "weather-analysis" has no input "units"; its inputs: state, latitude, longitude',
    );
    expect(weather.calls).toEqual([]);
  });

  it('accepts input as a JSON string', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    await callTool('route_pipeline', {
      scenario: 'weather-analysis',
      input: '{"latitude": 40.7, "longitude": -74}',
    });

    expect(weather.calls.map((call) => call.args)).toEqual([
      { state: 'CA' },
      { latitude: 40.7, longitude: -74 },
    ]);
  });

  it('reports input that is not a JSON object as an error without running any step', async () => {
    const weather = instantWeather();
    await connect(new FakeDirectory([weather]));

    const result = await callTool('route_pipeline', { scenario: 'weather-analysis', input: '"NY"' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('input must be a JSON object, got a string');
    expect(weather.calls).toEqual([]);
  });

  it('runs describe_table and read_query of database-report only after list_tables has finished', async () => {
    const events: string[] = [];
    const tablesStarted = deferred();
    const releaseTables = deferred();
    const sqlite = instantSqlite(events);
    sqlite.setTool('list_tables', async () => {
      events.push('start list_tables');
      tablesStarted.resolve();
      await releaseTables.promise;
      events.push('end list_tables');
      return textResult('customers\norders');
    });
    await connect(new FakeDirectory([sqlite]));

    const pending = callTool('route_pipeline', { scenario: 'database-report' });
    await tablesStarted.promise;
    // A full round trip through the gateway: steps that did not wait for list_tables would have started by now.
    await connected().ping();
    expect(events).toEqual(['start list_tables']);
    releaseTables.resolve();
    const result = await pending;

    expect(events).toEqual(['start list_tables', 'end list_tables', 'describe_table', 'read_query']);
    expect(stepsOf(result).map((step) => [step.id, step.tool, step.status])).toEqual([
      ['tables', 'list_tables', 'ok'],
      ['schema', 'describe_table', 'ok'],
      ['top_customers', 'read_query', 'ok'],
    ]);
  });

  it('replaces the database-report query with input.query and keeps the other params', async () => {
    const sqlite = instantSqlite();
    await connect(new FakeDirectory([sqlite]));

    await callTool('route_pipeline', { scenario: 'database-report', input: { query: 'SELECT 1' } });

    expect(sqlite.calls.map((call) => [call.tool, call.args])).toEqual([
      ['list_tables', {}],
      ['describe_table', { table_name: 'customers' }],
      ['read_query', { query: 'SELECT 1' }],
    ]);
  });

  it('reports a failing step and marks the steps depending on it skipped, without calling them', async () => {
    const sqlite = instantSqlite();
    sqlite.setTool('list_tables', () =>
      Promise.reject(new GatewayError('backend_error', 'sqlite.list_tables failed: database is locked')),
    );
    await connect(new FakeDirectory([sqlite]));

    const result = await callTool('route_pipeline', { scenario: 'database-report' });

    expect(sqlite.calls.map((call) => call.tool)).toEqual(['list_tables']);
    expect(result.isError).toBe(true);
    expect(stepsOf(result).map((step) => [step.id, step.status, step.error])).toEqual([
      ['tables', 'error', 'sqlite.list_tables failed: database is locked'],
      ['schema', 'skipped', 'skipped: tables did not succeed'],
      ['top_customers', 'skipped', 'skipped: tables did not succeed'],
    ]);
    expect(onlyText(result)).toContain(
      '## schema: sqlite.describe_table - skipped (0 ms)\nerror: skipped: tables did not succeed',
    );
  });

  it('does not hide a successful step behind a failing one, and does not mark a partial success as an error', async () => {
    const weather = instantWeather();
    weather.setTool('get_alerts', { content: [{ type: 'text', text: 'NWS unavailable' }], isError: true });
    await connect(new FakeDirectory([weather]));

    const result = await callTool('route_pipeline', { scenario: 'weather-analysis' });

    expect(result.isError).toBe(false);
    expect(stepsOf(result).map((step) => [step.id, step.status, step.error])).toEqual([
      ['alerts', 'error', 'NWS unavailable'],
      ['forecast', 'ok', undefined],
    ]);
    const text = onlyText(result);
    expect(text).toMatch(/^Pipeline "weather-analysis": 1\/2 step\(s\) succeeded in \d+ ms\n/);
    expect(text).toMatch(/## alerts: weather\.get_alerts - error \(\d+ ms\)\nNWS unavailable\n/);
    expect(text).toMatch(
      /## forecast: weather\.get_forecast - ok \(\d+ ms\)\nforecast \{"latitude":37\.7749,"longitude":-122\.4194\}$/,
    );
  });

  it('reports a step on an unregistered server as a failed step', async () => {
    await connect(new FakeDirectory());

    const result = await callTool('route_pipeline', { scenario: 'weather-analysis' });

    expect(result.isError).toBe(true);
    expect(stepsOf(result).map((step) => step.error)).toEqual([
      'unknown server "weather"; registered: none',
      'unknown server "weather"; registered: none',
    ]);
  });

  it('returns scenario, ok, durationMs and each step with id, server, tool, status, durationMs and result', async () => {
    await connect(new FakeDirectory([instantWeather()]));

    const result = await callTool('route_pipeline', { scenario: 'weather-analysis', input: { state: 'TX' } });

    const structured = result.structuredContent as Record<string, unknown>;
    expect(Object.keys(structured)).toEqual(['scenario', 'ok', 'durationMs', 'steps']);
    expect(structured).toEqual({
      scenario: 'weather-analysis',
      ok: true,
      durationMs: expect.any(Number) as number,
      steps: [
        {
          id: 'alerts',
          server: 'weather',
          tool: 'get_alerts',
          status: 'ok',
          durationMs: expect.any(Number) as number,
          result: textResult('alerts {"state":"TX"}'),
        },
        {
          id: 'forecast',
          server: 'weather',
          tool: 'get_forecast',
          status: 'ok',
          durationMs: expect.any(Number) as number,
          result: textResult('forecast {"latitude":37.7749,"longitude":-122.4194}'),
        },
      ],
    });
    expect(structured.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports an unknown scenario as an error listing the scenarios, config pipelines included', async () => {
    const pipelines = new PipelineCatalog({ nightly: { steps: [{ server: 'sqlite', tool: 'export' }] } });
    await connect(new FakeDirectory(), pipelines);

    const result = await callTool('route_pipeline', { scenario: 'weather' });

    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'unknown scenario "weather"; available: weather-analysis, database-report, nightly, custom',
        },
      ],
      isError: true,
    });
  });

  it('runs a pipeline declared in the config by its name', async () => {
    const sqlite = new FakeUpstream('sqlite', {
      tools: { export: (args) => textResult(JSON.stringify(args)) },
    });
    const pipelines = new PipelineCatalog({
      nightly: {
        input: { table: { default: 'orders' } },
        steps: [{ server: 'sqlite', tool: 'export', params: { table: '{{input.table}}' } }],
      },
    });
    await connect(new FakeDirectory([sqlite]), pipelines);

    const result = await callTool('route_pipeline', { scenario: 'nightly', input: { table: 'customers' } });

    expect(sqlite.calls.map((call) => call.args)).toEqual([{ table: 'customers' }]);
    expect(stepsOf(result).map((step) => [step.id, step.status])).toEqual([['step1', 'ok']]);
  });

  describe('with the custom scenario', () => {
    function twoServers() {
      const events: string[] = [];
      const a = new FakeUpstream('a', {
        tools: {
          first: (args) => {
            events.push('a.first');
            return textResult(`first ${JSON.stringify(args)}`);
          },
        },
      });
      const b = new FakeUpstream('b', {
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
      expect(onlyText(result)).toBe(
        'pipeline "custom", step "one": "after" makes a cycle: one -> two -> one',
      );
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
  });

  it('sends a progress notification as each step ends, in the order the steps end', async () => {
    const { weather, started, release } = gatedWeather();
    await connect(new FakeDirectory([weather]));
    const received: Progress[] = [];
    const firstProgress = deferred();

    const pending = callTool(
      'route_pipeline',
      { scenario: 'weather-analysis' },
      {
        onprogress: (progress) => {
          received.push(progress);
          firstProgress.resolve();
        },
      },
    );
    await Promise.all([started.alerts.promise, started.forecast.promise]);
    release.forecast.resolve();
    await firstProgress.promise;
    expect(received).toEqual([{ progress: 1, total: 2, message: 'forecast: ok' }]);
    release.alerts.resolve();
    await pending;

    expect(received).toEqual([
      { progress: 1, total: 2, message: 'forecast: ok' },
      { progress: 2, total: 2, message: 'alerts: ok' },
    ]);
  });

  it('gives each step call the abort signal of the request, and aborts it when the client cancels', async () => {
    const started = deferred();
    const weather = instantWeather();
    weather.setTool(
      'get_alerts',
      waitForCancellation(() => started.resolve()),
    );
    await connect(new FakeDirectory([weather]));
    const controller = new AbortController();

    const pending = callTool(
      'route_pipeline',
      { scenario: 'weather-analysis' },
      { signal: controller.signal },
    );
    await started.promise;
    const signal = optionsOf(weather.calls[0]).signal;
    expect(signal?.aborted).toBe(false);
    controller.abort('user pressed stop');

    await expect(pending).rejects.toThrow();
    await aborted(signal);
    expect(signal?.aborted).toBe(true);
  });
});
