/**
 * The fast path as the only way a session serves `tools/call`: raw JSON-RPC over an in-memory transport, so that
 * a test can send what an SDK client never would and read exactly what comes back.
 */
import { InMemoryTransport } from '@modelcontextprotocol/server';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';

import { createRegistrationPolicy } from '../../../src/backends/registration/registration-policy.js';
import { createGateway, type Gateway } from '../../../src/gateway/create-gateway.js';
import { silentLogger } from '../../../src/logger.js';
import { PipelineCatalog } from '../../../src/pipelines/pipeline-catalog.js';
import { deferred, FakeBackend, FakeDirectory, textResult } from '../../helpers/fake-directory.js';

const opened: { gateway: Gateway; client: InMemoryTransport }[] = [];

afterEach(async () => {
  for (const { gateway, client } of opened.splice(0)) {
    await client.close();
    await gateway.close();
  }
});

/** A gateway session on `directory`, initialized by hand; `request` sends a raw request and awaits its response. */
async function rawSession(directory: FakeDirectory) {
  const gateway = createGateway({
    directory,
    pipelines: new PipelineCatalog(),
    registration: createRegistrationPolicy({ enabled: true, logger: silentLogger }),
    baseDir: '/srv',
    logger: silentLogger,
  });
  const [client, server] = InMemoryTransport.createLinkedPair();
  const received: JSONRPCMessage[] = [];
  const waiters = new Map<unknown, (message: JSONRPCMessage) => void>();
  client.onmessage = (message) => {
    received.push(message);
    if ('id' in message && !('method' in message)) waiters.get(message.id)?.(message);
  };
  await gateway.connect(server);
  await client.start();
  opened.push({ gateway, client });
  const request = (message: Record<string, unknown>): Promise<JSONRPCMessage> => {
    const answered = new Promise<JSONRPCMessage>((resolve) => waiters.set(message.id, resolve));
    void client.send({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
    return answered;
  };
  await request({
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  await client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const send = (message: Record<string, unknown>): Promise<void> =>
    client.send({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
  return { request, send, received };
}

describe('tools/call on the fast path', () => {
  it.each([
    [
      { name: 'echo__echo', arguments: ['not', 'an', 'object'] },
      '"arguments" must be an object, got an array',
    ],
    [{ arguments: {} }, '"name" must be a string, got nothing'],
    [{ name: 7 }, '"name" must be a string, got a number'],
    [{ name: 'echo__echo', _meta: 'x' }, '"_meta" must be an object, got a string'],
  ])('answers the malformed call %j with InvalidParams saying what is wrong', async (params, why) => {
    const { request } = await rawSession(
      new FakeDirectory([new FakeBackend('echo', { tools: { echo: textResult('hi') } })]),
    );

    const response = await request({ id: 1, method: 'tools/call', params });

    expect(response).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32602, message: `Invalid tools/call request: ${why}` },
    });
  });

  it('answers "params" that are not an object with InvalidParams', async () => {
    const { request } = await rawSession(new FakeDirectory());

    const response = await request({ id: 'p', method: 'tools/call', params: [1] });

    expect(response).toMatchObject({
      error: {
        code: -32602,
        message: 'Invalid tools/call request: "params" must be an object, got an array',
      },
    });
  });

  it('refuses a different call reusing the id of a call in flight, and still answers the first one', async () => {
    const release = deferred();
    const { send, received } = await rawSession(
      new FakeDirectory([
        new FakeBackend('slow', {
          tools: {
            wait: async () => {
              await release.promise;
              return textResult('done');
            },
          },
        }),
      ]),
    );
    const answersTo = (id: string) => received.filter((message) => 'id' in message && message.id === id);
    await send({ id: 'same', method: 'tools/call', params: { name: 'slow__wait' } });
    await send({ id: 'same', method: 'tools/call', params: { name: 'slow__wait', arguments: { other: 1 } } });

    await expect
      .poll(() => answersTo('same'))
      .toEqual([
        {
          jsonrpc: '2.0',
          id: 'same',
          error: {
            code: -32600,
            message: 'Invalid request: the id "same" is already used by a tools/call in flight',
          },
        },
      ]);
    release.resolve();
    await expect
      .poll(() => answersTo('same').at(-1))
      .toEqual({ jsonrpc: '2.0', id: 'same', result: textResult('done') });
  });

  it('runs the same request sent again while it runs (a load balancer retry) once, and answers it once', async () => {
    const release = deferred();
    let runs = 0;
    const { send, request, received } = await rawSession(
      new FakeDirectory([
        new FakeBackend('slow', {
          tools: {
            wait: async () => {
              runs += 1;
              await release.promise;
              return textResult('done');
            },
          },
        }),
      ]),
    );
    const answersTo = (id: string) => received.filter((message) => 'id' in message && message.id === id);
    const call = { id: 'again', method: 'tools/call', params: { name: 'slow__wait', arguments: { n: 1 } } };
    await send(call);
    await expect.poll(() => runs).toBe(1);
    await send(call);
    // Another request after it is answered first: the repeat was taken without an answer of its own.
    await request({ id: 'later', method: 'tools/list' });
    expect(answersTo('again')).toEqual([]);
    release.resolve();
    await expect
      .poll(() => answersTo('again'))
      .toEqual([{ jsonrpc: '2.0', id: 'again', result: textResult('done') }]);
    expect(runs).toBe(1);
    // Once answered, the id may come again: a new call.
    await send(call);
    await expect.poll(() => runs).toBe(2);
  });

  it('passes a content block of a type the protocol does not define on unchanged', async () => {
    const widget = { content: [{ type: 'widget', payload: 1 }] };
    const { request } = await rawSession(
      new FakeDirectory([
        new FakeBackend('b', { tools: { widget: () => widget as unknown as ReturnType<typeof textResult> } }),
      ]),
    );

    const response = await request({ id: 2, method: 'tools/call', params: { name: 'b__widget' } });

    expect(response).toEqual({ jsonrpc: '2.0', id: 2, result: widget });
  });

  it('answers an unknown tool with InvalidParams, once, without the SDK prefix', async () => {
    const { request, received } = await rawSession(new FakeDirectory());

    const response = await request({ id: 3, method: 'tools/call', params: { name: 'nope' } });

    expect(response).toMatchObject({ id: 3, error: { code: -32602 } });
    expect((response as { error: { message: string } }).error.message).toMatch(
      /^Unknown tool "nope"; available: /,
    );
    expect(received.filter((message) => 'id' in message && message.id === 3)).toHaveLength(1);
  });
});
