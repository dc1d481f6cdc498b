/**
 * Limits of the built gateway's HTTP front door that need a process: `--request-timeout` (Node's own timers answer
 * 408), and a few hundred malformed messages that must leave it serving. The guards (413, version, batch, sessions)
 * are tested in process (test/unit/transports/http).
 */
import { once } from 'node:events';
import { connect } from 'node:net';

import { beforeAll, describe, expect, it } from 'vitest';

import { callTool, writeEchoConfig, type HttpGateway } from '../helpers/gateway-process.js';
import {
  jsonHeaders,
  jsonRpcMessages,
  openRawSession,
  rawRequest,
  type RawResponse,
} from '../helpers/http-gateway.js';
import { useProcessSandbox } from '../helpers/process-sandbox.js';
import { textOf } from '../helpers/text-of.js';

const VERSION = '2025-06-18';

/** What a socket received until the server closed it. */
async function readUntilClosed(socket: ReturnType<typeof connect>): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  await once(socket, 'close');
  return received;
}

describe('limits of the HTTP front door', () => {
  const sandbox = useProcessSandbox('gateway-limits-');
  let gateway: HttpGateway;

  beforeAll(async () => {
    const config = await writeEchoConfig(sandbox.dir, sandbox.marker);
    gateway = await sandbox.startHttp(['--request-timeout', '400', '--auto-register', config]);
  });

  async function expectStillServing(): Promise<void> {
    const client = await gateway.connect();
    const result = await callTool(client, 'call_backend', {
      server: 'echo',
      tool: 'echo',
      params: { text: 'ok' },
    });
    expect(textOf(result)).toBe('ok');
  }

  it('answers 408 and closes the connection when a body stalls', async () => {
    const socket = connect(Number(gateway.url.port), '127.0.0.1');
    await once(socket, 'connect');
    const received = readUntilClosed(socket);
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"jsonrpc":`,
    );
    expect(await received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 408 and closes the connection when headers trickle in too slowly', async () => {
    const socket = connect(Number(gateway.url.port), '127.0.0.1');
    await once(socket, 'connect');
    const received = readUntilClosed(socket);
    socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(await received).toMatch(/^HTTP\/1\.1 408 /);
    await expectStillServing();
  });

  it('answers calls to unknown servers named __proto__ or constructor with a plain "unknown server" error', async () => {
    const client = await gateway.connect();
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const call = await callTool(client, 'call_backend', { server: name, tool: 'echo' });
      expect(call.isError).toBe(true);
      expect(textOf(call)).toContain(`unknown server "${name}"`);
      const removal = await callTool(client, 'remove_server', { name });
      expect(removal.isError).toBe(true);
    }
  });

  it('answers only JSON-RPC errors to a few hundred malformed or mutated messages and keeps serving', async () => {
    const sessionId = await openRawSession(gateway.url);
    const inSession = jsonHeaders({ 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION });
    const bodies = malformedBodies(400);
    const responses: [string, RawResponse][] = [];
    // A few at a time: enough concurrency to interleave, not so much that the test measures the machine.
    for (let start = 0; start < bodies.length; start += 8) {
      const batch = bodies.slice(start, start + 8);
      const answers = await Promise.all(
        batch.map((body, index) =>
          rawRequest(gateway.url, { headers: (start + index) % 5 === 0 ? jsonHeaders() : inSession, body }),
        ),
      );
      answers.forEach((answer, index) => responses.push([batch[index] ?? '', answer]));
    }
    for (const [body, response] of responses) {
      const context = `${response.status} for ${body.slice(0, 200)}`;
      expect([200, 202, 400, 404, 406, 413, 415], context).toContain(response.status);
      if (response.status === 202) {
        expect(response.body, context).toBe('');
        continue;
      }
      const messages = jsonRpcMessages(response);
      expect(messages.length, context).toBeGreaterThan(0);
      for (const message of messages) {
        expect(message, context).toMatchObject({ jsonrpc: '2.0' });
        if (response.status !== 200) {
          const error = (message as { error?: { code?: unknown; message?: unknown } }).error;
          expect(typeof error?.code, context).toBe('number');
          expect(typeof error?.message, context).toBe('string');
        }
      }
    }
    // Every message was malformed: a 200 carried a JSON-RPC error, or a tool's own error result (`isError`), which
    // is how MCP reports arguments a tool cannot use. Never a success.
    const successes = responses.filter(([, response]) =>
      jsonRpcMessages(response).some((message) => {
        const result = (message as { result?: { isError?: boolean } }).result;
        return result !== undefined && result.isError !== true;
      }),
    );
    expect(successes.map(([body]) => body)).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.stderr()).not.toMatch(/HTTP request failed|Uncaught|TypeError|RangeError/);
    await expectStillServing();
  });
});

/**
 * `count` request bodies, each malformed: broken JSON, JSON that is not JSON-RPC, and valid messages mutated (fields
 * removed, retyped or replaced with hostile values). Seeded, so every run sends the same ones.
 */
function malformedBodies(count: number): string[] {
  let seed = 0x5eed;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const valid: Record<string, unknown>[] = [
    { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'call_backend', arguments: { server: 'echo', tool: 'echo', params: { text: 'x' } } },
    },
    { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_servers', arguments: {} } },
    { jsonrpc: '2.0', id: 4, method: 'ping' },
    {
      jsonrpc: '2.0',
      id: 5,
      method: 'initialize',
      params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    },
  ];
  const hostile: unknown[] = [
    null,
    true,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    '\u0000',
    '\ud800',
    'x'.repeat(10_000),
    [],
    {},
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown,
    [[[[[[[[[[[]]]]]]]]]]],
  ];
  const fields = ['jsonrpc', 'id', 'method', 'params', 'result', 'error'];

  const mutate = (message: Record<string, unknown>): unknown => {
    const copy = structuredClone(message);
    switch (Math.floor(random() * 8)) {
      case 0: // a required field removed (but never just the id: that makes a valid notification)
        delete copy[pick(['jsonrpc', 'method'])];
        return copy;
      case 1: // a field retyped
        copy[pick(fields)] = pick(hostile);
        return copy.method === undefined || typeof copy.method === 'string'
          ? { ...copy, jsonrpc: pick(['1.0', 2, null]) }
          : copy;
      case 2: // an unknown method
        return {
          ...copy,
          method: pick(['tools/destroy', '__proto__', 'constructor', '', 'rpc.discover', 'x'.repeat(300)]),
        };
      case 3: // params that are not an object
        return { ...copy, params: pick(['x', 42, true, [], [1, 2], 'x'.repeat(300)]) };
      case 7: // a call of a tool that does not exist, or with a name that is not a string
        return {
          ...copy,
          method: 'tools/call',
          params: { name: pick(['__proto__', 'constructor', 'toString', 'nope', 42, null]), arguments: {} },
        };
      case 4: // a response the server never asked for
        return {
          jsonrpc: '2.0',
          id: pick(['__proto__', 99, null, {}]),
          result: pick(hostile),
          error: pick(hostile),
        };
      case 5: // a hostile id
        return { ...copy, id: pick([{}, [], true, 1.5, null]), jsonrpc: pick(['2.0', '2.1']) };
      default: // not an object at all
        return pick(hostile);
    }
  };
  const breakText = (text: string): string => {
    switch (Math.floor(random() * 6)) {
      case 0:
        return text.slice(0, Math.floor(random() * text.length));
      case 1:
        return text.replace(/[{}[\]":,]/, pick(['', '}', '"', '\\', '\u0000']));
      case 2:
        return `${text}${pick(['}', ',', 'garbage', '\n{}'])}`;
      case 3:
        return '['.repeat(5000) + ']'.repeat(4999);
      case 4:
        return pick(['', ' ', 'null', 'undefined', 'NaN', '\ufeff{}', '{"a":1}{"b":2}']);
      default:
        return Buffer.from(text).toString('base64');
    }
  };

  const bodies: string[] = [];
  while (bodies.length < count) {
    const message = pick(valid);
    bodies.push(random() < 0.35 ? breakText(JSON.stringify(message)) : JSON.stringify(mutate(message)));
  }
  return bodies;
}
