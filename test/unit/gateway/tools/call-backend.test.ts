/**
 * call_backend through a real SDK client over an in-memory transport: arguments, errors, results, progress and cancellation.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import type { CallToolResult, Progress } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../../src/errors/gateway-error.js';
import { useInMemorySession } from '../../../helpers/connect-in-memory.js';
import {
  aborted,
  deferred,
  FakeDirectory,
  FakeBackend,
  optionsOf,
  textResult,
  waitForCancellation,
} from '../../../helpers/fake-directory.js';
import { onlyText } from '../../../helpers/text-of.js';

const { connect, connected, callTool } = useInMemorySession();

describe('call_backend', () => {
  function echoBackend(): FakeBackend {
    return new FakeBackend('files', {
      tools: {
        read_file: (args) => textResult(`read ${JSON.stringify(args)}`),
        write_file: textResult('ok'),
      },
    });
  }

  it('passes params given as an object to the backend unchanged', async () => {
    const files = echoBackend();
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

  it('parses params given as a JSON string and passes the object to the backend unchanged', async () => {
    const files = echoBackend();
    await connect(new FakeDirectory([files]));

    await callTool('call_backend', {
      server: 'files',
      tool: 'read_file',
      params: '{"path": "/tmp/x", "nested": {"n": 1.5, "list": ["a", null]}}',
    });

    expect(files.calls[0]?.args).toEqual({ path: '/tmp/x', nested: { n: 1.5, list: ['a', null] } });
  });

  it('calls the tool with an empty object when params are omitted or an empty string', async () => {
    const files = echoBackend();
    await connect(new FakeDirectory([files]));

    await callTool('call_backend', { server: 'files', tool: 'write_file' });
    await callTool('call_backend', { server: 'files', tool: 'write_file', params: '  ' });

    expect(files.calls.map((call) => call.args)).toEqual([{}, {}]);
  });

  it('reports params that are not valid JSON as an error naming params, the line and the column', async () => {
    const files = echoBackend();
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
    const files = echoBackend();
    await connect(new FakeDirectory([files]));

    const result = await callTool('call_backend', { server: 'files', tool: 'read_file', params: '[1, 2]' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('params must be a JSON object, got an array');
    expect(files.calls).toEqual([]);
  });

  it('reports params given as an array value as invalid arguments at params', async () => {
    const files = echoBackend();
    await connect(new FakeDirectory([files]));

    const result = await callTool('call_backend', { server: 'files', tool: 'read_file', params: [1, 2] });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toMatch(/^invalid arguments for call_backend:\n {2}at params: /);
    expect(files.calls).toEqual([]);
  });

  it('reports a missing server argument as invalid arguments naming the field', async () => {
    await connect(new FakeDirectory([echoBackend()]));

    const result = await callTool('call_backend', { tool: 'read_file' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'invalid arguments for call_backend:\n  at server: Invalid input: expected string, received undefined',
    );
  });

  it('reports an unknown server as an error listing the registered servers', async () => {
    await connect(new FakeDirectory([echoBackend(), new FakeBackend('weather')]));

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
    const files = echoBackend();
    await connect(new FakeDirectory([files, new FakeBackend('other', { tools: { zap: textResult('') } })]));

    const result = await callTool('call_backend', { server: 'files', tool: 'delete_file' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe(
      'server "files" has no tool "delete_file"; its tools: read_file, write_file',
    );
    expect(files.calls).toEqual([]);
  });

  it('forwards the call to a server that is still starting without checking its tool list', async () => {
    const starting = new FakeBackend('slow', { state: 'starting', tools: { echo: textResult('echoed') } });
    await connect(new FakeDirectory([starting]));
    expect(starting.tools()).toEqual([]);

    const result = await callTool('call_backend', { server: 'slow', tool: 'echo' });

    expect(starting.calls.map((call) => call.tool)).toEqual(['echo']);
    expect(result).toEqual(textResult('echoed'));
  });

  it("returns the backend's result unchanged: text, image and structuredContent", async () => {
    const backendResult: CallToolResult = {
      content: [
        { type: 'text', text: 'chart for CA' },
        { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
      ],
      structuredContent: { state: 'CA', readings: [1, 2, 3] },
    };
    await connect(new FakeDirectory([new FakeBackend('charts', { tools: { draw: backendResult } })]));

    const result = await callTool('call_backend', { server: 'charts', tool: 'draw', params: {} });

    expect(result).toEqual(backendResult);
  });

  it('returns a backend result that has isError: true unchanged', async () => {
    const backendResult: CallToolResult = {
      content: [{ type: 'text', text: 'no such table: customer' }],
      isError: true,
    };
    await connect(new FakeDirectory([new FakeBackend('sqlite', { tools: { read_query: backendResult } })]));

    const result = await callTool('call_backend', { server: 'sqlite', tool: 'read_query' });

    expect(result).toEqual(backendResult);
  });

  it('turns a GatewayError from the backend into an error result carrying its message', async () => {
    const weather = new FakeBackend('weather', {
      tools: {
        get_alerts: () => {
          throw new GatewayError('timeout', 'weather.get_alerts timed out after 10000 ms', {
            backend: 'weather',
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

  it('strips the SDK prefix from an MCP error raised by the backend', async () => {
    const weather = new FakeBackend('weather', {
      tools: {
        get_alerts: () =>
          Promise.reject(new ProtocolError(ProtocolErrorCode.InternalError, 'NWS answered 503')),
      },
    });
    await connect(new FakeDirectory([weather]));

    const result = await callTool('call_backend', { server: 'weather', tool: 'get_alerts' });

    expect(result.isError).toBe(true);
    expect(onlyText(result)).toBe('NWS answered 503');
  });

  it('gives the backend an abort signal and no onProgress when the client sent no progress token', async () => {
    const files = echoBackend();
    await connect(new FakeDirectory([files]));

    await callTool('call_backend', { server: 'files', tool: 'write_file' });

    const options = optionsOf(files.calls[0]);
    expect(options.signal).toBeInstanceOf(AbortSignal);
    expect(options.signal?.aborted).toBe(false);
    expect(options.onProgress).toBeUndefined();
  });

  it("passes the client's _meta to the backend", async () => {
    const files = echoBackend();
    await connect(new FakeDirectory([files]));

    await connected().callTool({
      name: 'call_backend',
      arguments: { server: 'files', tool: 'write_file' },
      _meta: { traceId: 'abc-123' },
    });

    expect(optionsOf(files.calls[0]).meta).toEqual({ traceId: 'abc-123' });
  });

  it("relays the backend's progress to the client, in order, when the client sent a progress token", async () => {
    const steps: Progress[] = [
      { progress: 1, total: 3, message: 'reading' },
      { progress: 2, total: 3, message: 'parsing' },
      { progress: 3, total: 3, message: 'done' },
    ];
    const files = new FakeBackend('files', {
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

  it('aborts the signal the backend got when the client cancels its request', async () => {
    const started = deferred();
    const files = new FakeBackend('files', {
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

  it("refuses a tool the backend's tools filter holds back, naming the filter, without reaching the backend", async () => {
    const files = new FakeBackend('files', {
      tools: { read_file: textResult('read'), delete_all: textResult('deleted') },
      toolFilter: { deny: ['delete_all'] },
    });
    await connect(new FakeDirectory([files]));

    const refused = await callTool('call_backend', { server: 'files', tool: 'delete_all' });
    const allowed = await callTool('call_backend', { server: 'files', tool: 'read_file' });

    expect(refused.isError).toBe(true);
    expect(onlyText(refused)).toBe(
      'server "files" does not expose tool "delete_all": its config\'s "tools" deny list (delete_all) holds it ' +
        'back; change that filter to reach it',
    );
    expect(onlyText(allowed)).toBe('read');
    expect(files.calls.map((call) => call.tool)).toEqual(['read_file']);
  });

  it('lists only the tools the filter lets through when the tool named is unknown', async () => {
    const files = new FakeBackend('files', {
      tools: { read_file: textResult('read'), write_file: textResult('ok'), secret: textResult('s') },
      toolFilter: { allow: ['read_file', 'write_file'] },
    });
    await connect(new FakeDirectory([files]));

    const result = await callTool('call_backend', { server: 'files', tool: 'nope' });

    expect(onlyText(result)).toBe('server "files" has no tool "nope"; its tools: read_file, write_file');
  });
});
