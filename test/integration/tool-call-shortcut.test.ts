/**
 * `tools/call` is served ahead of the SDK Server (the forwarding hot path). These tests speak raw JSON-RPC to a
 * gateway process, so that they send what an SDK client would not and read exactly what comes back. They share one
 * gateway: every request has an id of its own, and what one test waits for in the log no other test writes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { CallToolResult } from '@modelcontextprotocol/server';
import { beforeAll, describe, expect, it } from 'vitest';

import { fixtureServer, writeServersConfig } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import type { RawMessage, RawStdioGateway } from '../helpers/raw-stdio-gateway.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const sandbox = useProcessSandbox('shortcut-');
let gateway: RawStdioGateway | undefined;
let cancelFile: string;
let nextId = 0;

beforeAll(async () => {
  cancelFile = path.join(sandbox.dir, 'cancelled.txt');
  const env = sandbox.env;
  const config = await writeServersConfig(sandbox.dir, {
    raw: fixtureServer('raw-results.mjs', { env }),
    echo: fixtureServer('echo.mjs', { env: { ...env, FIXTURE_CANCEL_FILE: cancelFile } }),
  });
  // Deferred before the start, so it runs after the stop: nothing the gateway wrote, to the end, was not JSON-RPC.
  sandbox.defer(() => expect(gateway?.strayLines).toEqual([]));
  gateway = await sandbox.startRawStdio(['--auto-register', config, '--log-level', 'debug']);
  await waitFor(
    async () => {
      const listed = await call('tools/list', {});
      const names = ((listed.result as { tools: { name: string }[] }).tools ?? []).map((tool) => tool.name);
      return names.includes('raw__echo_id') && names.includes('echo__slow');
    },
    { description: 'both backends to be listed', timeoutMs: 15_000 },
  );
});

function running(): RawStdioGateway {
  if (!gateway) throw new Error('no gateway');
  return gateway;
}

function call(method: string, params: Record<string, unknown>): Promise<RawMessage> {
  return running().request(`req-${++nextId}`, method, params);
}

function callTool(name: string, args: Record<string, unknown> = {}): Promise<RawMessage> {
  return call('tools/call', { name, arguments: args });
}

/** The text of the tool result a response carries. */
function resultText(response: RawMessage): string {
  return textOf(response.result as CallToolResult);
}

describe('backend results through the shortcut', () => {
  it('passes a valid result on unchanged, fields the protocol does not define and _meta included', async () => {
    const response = await callTool('raw__extra_fields');
    expect(response.result).toEqual({
      content: [{ type: 'text', text: 'ok', annotations: { priority: 1 } }],
      structuredContent: { nested: { list: [1, 2, 3] } },
      _meta: { 'example.com/trace': 'abc' },
      vendorField: { kept: true },
    });
  });

  it('reads a result without content as an empty list', async () => {
    const response = await callTool('raw__no_content');
    expect(response.result).toEqual({ content: [] });
  });

  it.each([
    ['raw__bad_content', '"content" is not an array'],
    ['raw__untyped_block', 'a "content" block has no "type"'],
    ['raw__bad_is_error', '"isError" is not a boolean'],
  ])(
    'turns the malformed result of %s into an isError result naming backend, tool and cause',
    async (name, why) => {
      const response = await callTool(name);
      expect(response.result).toMatchObject({ isError: true });
      const text = resultText(response);
      expect(text).toContain(`raw.${name.slice('raw__'.length)}`);
      expect(text).toContain(why);
    },
  );

  it('says the same through call_backend', async () => {
    const response = await callTool('call_backend', { server: 'raw', tool: 'bad_content' });
    expect(response.result).toMatchObject({ isError: true });
    expect(resultText(response)).toContain('"content" is not an array');
  });

  it("passes a backend's JSON-RPC error on with its code, message and data", async () => {
    const response = await callTool('raw__rpc_error');
    expect(response.error).toEqual({ code: -32001, message: 'raw failure', data: { why: 'testing' } });
  });
});

describe('requests through the shortcut', () => {
  it("answers each call under the client's own id, string or number, with calls in flight together", async () => {
    const { request } = running();
    const slow = request('same-id-as-nothing', 'tools/call', { name: 'echo__slow', arguments: { ms: 300 } });
    const [numeric, text] = await Promise.all([
      request(7, 'tools/call', { name: 'echo__echo', arguments: { text: 'seven' } }),
      request('seven', 'tools/call', { name: 'echo__echo', arguments: { text: 'text id' } }),
    ]);
    expect(resultText(numeric)).toBe('seven');
    expect(resultText(text)).toBe('text id');
    expect(resultText(await slow)).toBe('slept 300');
  });

  it('leaves a malformed tools/call to the SDK, which answers with a JSON-RPC error, and keeps serving', async () => {
    const response = await call('tools/call', { name: 'echo__echo', arguments: ['not', 'an', 'object'] });
    expect(response.error).toMatchObject({ code: expect.any(Number) as number });
    const nameless = await call('tools/call', { arguments: {} });
    expect(nameless.error).toMatchObject({ code: expect.any(Number) as number });
    expect(resultText(await callTool('echo__echo', { text: 'still here' }))).toBe('still here');
  });

  it('leaves a call with an id that is not a string or a number to the SDK, and keeps serving', async () => {
    const { writeLine, messages } = running();
    writeLine(
      '{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"echo__echo","arguments":{"text":"x"}}}',
    );
    writeLine(
      '{"jsonrpc":"2.0","id":1.5,"method":"tools/call","params":{"name":"echo__echo","arguments":{"text":"y"}}}',
    );
    expect(resultText(await callTool('echo__echo', { text: 'after odd ids' }))).toBe('after odd ids');
    // MCP ids are strings or integers: neither was served as a call, so no response carries its text.
    expect(messages.some((message) => JSON.stringify(message).includes('"text":"x"'))).toBe(false);
    expect(messages.some((message) => JSON.stringify(message).includes('"text":"y"'))).toBe(false);
  });

  it('answers an unknown tool with InvalidParams naming what exists', async () => {
    const response = await callTool('nope__nothing');
    expect(response.error).toMatchObject({ code: -32602 });
    expect((response.error as { message: string }).message).toContain('echo__echo');
  });

  it('skips lines on stdin that are not JSON-RPC and keeps serving', async () => {
    running().writeLine('this is not json');
    running().writeLine('{"not":"json-rpc"}');
    running().writeLine('');
    expect(resultText(await callTool('echo__echo', { text: 'after noise' }))).toBe('after noise');
    // The log and the responses travel on different pipes: the log may arrive second.
    await waitFor(() => running().stderr().includes('could not read a message from the client'), {
      description: 'the warning about the stray lines',
    });
    expect(running().stderr()).toContain('not JSON');
  });

  it('cancels the backend request on notifications/cancelled and sends no response for it', async () => {
    const { writeLine, notify, messages } = running();
    writeLine(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'to-cancel',
        method: 'tools/call',
        params: { name: 'echo__slow', arguments: { ms: 30_000 } },
      }),
    );
    await waitFor(() => running().stderr().includes('slow started 30000'), {
      description: 'the call to reach the backend',
      timeoutMs: 10_000,
    });
    notify('notifications/cancelled', { requestId: 'to-cancel', reason: 'changed my mind' });
    await waitFor(() => readFile(cancelFile, 'utf8').catch(() => undefined), {
      description: 'the backend to see the cancellation',
    });
    // A later call's response proves the gateway processed the cancellation before it, and sent nothing for it.
    expect(resultText(await callTool('echo__echo', { text: 'next' }))).toBe('next');
    expect(messages.filter((message) => message.id === 'to-cancel')).toEqual([]);
  });
});
