/**
 * What a backend asks the client mid-call, across the eras: a 2025 backend's elicitation and sampling requests reach
 * a 2026-07-28 client as `input_required` rounds (its retry resumes the waiting call; a tampered `requestState` is
 * refused), and a 2026-07-28 backend's `input_required` reaches a 2025 client as requests on its session.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import { writeServersConfig, type HttpGateway } from '../helpers/gateway-process.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
};

/** A client that answers elicitation and sampling requests, and records what it was asked. */
function answeringClient(mode: 'auto' | 'legacy'): { client: Client; asked: string[] } {
  const asked: string[] = [];
  const client = new Client(
    { name: `bridge-${mode}`, version: '1.0.0' },
    { capabilities: { elicitation: {}, sampling: {} }, versionNegotiation: { mode } },
  );
  client.setRequestHandler('elicitation/create', (request) => {
    asked.push(`elicit: ${request.params.message}`);
    return { action: 'accept', content: { username: 'ada', email: 'ada@example.com', confirm: true } };
  });
  client.setRequestHandler('sampling/createMessage', () => {
    asked.push('sample');
    return { role: 'assistant', content: { type: 'text', text: 'forty-two' }, model: 'test-model' };
  });
  return { client, asked };
}

/** Posts one 2026-07-28 request and returns the JSON-RPC response (read from JSON or from the SSE stream). */
async function post(
  url: URL,
  id: number,
  method: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const messages = await exchange(url, id, method, params);
  const answer = messages.find((message) => message.id === id);
  if (!answer) throw new Error(`no response to request ${id}: ${JSON.stringify(messages)}`);
  return answer;
}

/** Posts one 2026-07-28 request (its envelope extended by `envelope`) and returns every message that came back. */
async function exchange(
  url: URL,
  id: number,
  method: string,
  params: Record<string, unknown>,
  envelope: Record<string, unknown> = {},
): Promise<Record<string, unknown>[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(typeof params.name === 'string' ? { 'mcp-name': params.name } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method,
      params: { ...params, _meta: { ...ENVELOPE, ...envelope } },
    }),
  });
  const text = await response.text();
  const messages = (response.headers.get('content-type') ?? '').includes('text/event-stream')
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => JSON.parse(line.slice('data:'.length)) as Record<string, unknown>)
    : [JSON.parse(text) as Record<string, unknown>];
  return messages;
}

/** The `data` of the log messages among `messages`. */
function logged(messages: readonly Record<string, unknown>[]): unknown[] {
  return messages
    .filter((message) => message.method === 'notifications/message')
    .map((message) => (message.params as { data: unknown }).data);
}

describe('across the eras', () => {
  const sandbox = useProcessSandbox('era-bridge-');
  let gateway: HttpGateway;

  beforeAll(async () => {
    const config = await writeServersConfig(sandbox.dir, {
      legacy: { command: process.execPath, args: [fixturePath('conformance.mjs')], env: sandbox.env },
      modern: { command: process.execPath, args: [fixturePath('modern-only.mjs')], env: sandbox.env },
    });
    gateway = await sandbox.startHttp(['--auto-register', config]);
  });

  it("turns a 2025 backend's elicitation and sampling into input_required rounds for a 2026-07-28 client", async () => {
    const { client, asked } = answeringClient('auto');
    sandbox.defer(() => client.close());
    await client.connect(new StreamableHTTPClientTransport(gateway.url));
    expect(client.getProtocolEra()).toBe('modern');

    const elicited = await client.callTool({
      name: 'legacy__test_elicitation',
      arguments: { message: 'Who are you?' },
    });
    expect(textOf(elicited)).toContain('action=accept');
    expect(textOf(elicited)).toContain('"username":"ada"');
    const sampled = await client.callTool({
      name: 'legacy__test_sampling',
      arguments: { prompt: 'The answer?' },
    });
    expect(textOf(sampled)).toBe('LLM response: forty-two');
    expect(asked).toEqual(['elicit: Who are you?', 'sample']);
  });

  it('resumes the waiting call with the answers, and refuses a requestState that was tampered with', async () => {
    const first = await post(gateway.url, 1, 'tools/call', {
      name: 'legacy__test_elicitation',
      arguments: { message: 'Name?' },
    });
    const round = first.result as {
      resultType: string;
      inputRequests: Record<string, unknown>;
      requestState: string;
    };
    expect(round.resultType).toBe('input_required');
    const [key] = Object.keys(round.inputRequests);
    expect(round.inputRequests[key ?? '']).toMatchObject({
      method: 'elicitation/create',
      params: { message: 'Name?' },
    });

    const inputResponses = {
      [key ?? '']: { action: 'accept', content: { username: 'grace', email: 'g@example.com' } },
    };
    // One character of the sealed payload changed (`gw.v1.<payload>.<mac>`): in its middle, where every bit of a
    // base64 character is data (the last character of a segment may carry padding bits only).
    const at = 'gw.v1.'.length + 4;
    const changed = round.requestState[at] === 'A' ? 'B' : 'A';
    const tampered = await post(gateway.url, 2, 'tools/call', {
      name: 'legacy__test_elicitation',
      arguments: { message: 'Name?' },
      inputResponses,
      requestState: `${round.requestState.slice(0, at)}${changed}${round.requestState.slice(at + 1)}`,
    });
    expect(tampered.error).toMatchObject({ code: -32602 });

    const resumed = await post(gateway.url, 3, 'tools/call', {
      name: 'legacy__test_elicitation',
      arguments: { message: 'Name?' },
      inputResponses,
      requestState: round.requestState,
    });
    expect(resumed.result).toMatchObject({
      content: [{ type: 'text', text: expect.stringContaining('grace') as unknown }],
    });

    // The call is over: its state resumes nothing any more.
    const again = await post(gateway.url, 4, 'tools/call', {
      name: 'legacy__test_elicitation',
      arguments: { message: 'Name?' },
      inputResponses,
      requestState: round.requestState,
    });
    expect(again.error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('is over') as unknown,
    });
  });

  it("turns a 2026-07-28 backend's input_required into requests on a 2025 client's session", async () => {
    const { client, asked } = answeringClient('legacy');
    sandbox.defer(() => client.close());
    await client.connect(new StreamableHTTPClientTransport(gateway.url));
    expect(client.getProtocolEra()).toBe('legacy');

    const result = await client.callTool({ name: 'modern__confirm', arguments: { what: 'the release' } });

    expect(asked).toEqual(['elicit: Confirm the release?']);
    // The backend got the answer, and its own requestState back.
    expect(textOf(result)).toBe(
      'accept: {"username":"ada","email":"ada@example.com","confirm":true}; state asked about the release',
    );
  });

  it("passes a 2026-07-28 backend's input_required on to a 2026-07-28 client, round by round", async () => {
    const { client, asked } = answeringClient('auto');
    sandbox.defer(() => client.close());
    await client.connect(new StreamableHTTPClientTransport(gateway.url));

    const result = await client.callTool({ name: 'modern__confirm', arguments: { what: 'the rollout' } });

    expect(asked).toEqual(['elicit: Confirm the rollout?']);
    expect(textOf(result)).toContain('state asked about the rollout');
  });

  it('sends a 2026-07-28 client the log messages of its call at the level the request asks, none unasked', async () => {
    const call = (id: number, name: string, envelope?: Record<string, unknown>) =>
      exchange(gateway.url, id, 'tools/call', { name, arguments: {} }, envelope);
    const logLevel = 'io.modelcontextprotocol/logLevel';

    // A 2025 backend's messages, filtered by the gateway.
    expect(logged(await call(301, 'legacy__test_tool_with_logging'))).toEqual([]);
    expect(logged(await call(302, 'legacy__test_tool_with_logging', { [logLevel]: 'info' }))).toEqual([
      'Tool execution started',
      'Tool processing data',
      'Tool execution completed',
    ]);
    expect(logged(await call(303, 'legacy__test_tool_with_logging', { [logLevel]: 'error' }))).toEqual([]);

    // A 2026-07-28 backend is asked for them at the client's level.
    expect(logged(await call(304, 'modern__log_levels'))).toEqual([]);
    expect(logged(await call(305, 'modern__log_levels', { [logLevel]: 'info' }))).toEqual([
      'a info message',
      'a warning message',
    ]);
  });

  it("asks a 2026-07-28 backend for the log messages a 2025 client's session lets through", async () => {
    const client = new Client(
      { name: 'logs-legacy', version: '1.0.0' },
      { versionNegotiation: { mode: 'legacy' } },
    );
    sandbox.defer(() => client.close());
    const heard: unknown[] = [];
    client.setNotificationHandler('notifications/message', (notification) => {
      heard.push(notification.params.data);
    });
    await client.connect(new StreamableHTTPClientTransport(gateway.url));

    await client.callTool({ name: 'modern__log_levels', arguments: {} });
    expect(heard).toEqual(['a debug message', 'a info message', 'a warning message']);
    heard.length = 0;
    await client.setLoggingLevel('warning');
    await client.callTool({ name: 'modern__log_levels', arguments: {} });
    expect(heard).toEqual(['a warning message']);
  });
});
