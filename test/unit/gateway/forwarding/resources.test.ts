/**
 * Resources across backends, through a real SDK client over an in-memory transport: merged lists, reads routed by
 * URI and by template, errors, and subscriptions whose updates reach only the sessions that subscribed.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { ProtocolError } from '../../../../src/errors/protocol-error.js';
import { closeInMemoryGateways, connectInMemory } from '../../../helpers/connect-in-memory.js';
import { FakeBackend, FakeDirectory, textResult } from '../../../helpers/fake-directory.js';
import { methodsOf, readAnswer, resource, resourceBackend } from '../../../helpers/fake-resources.js';
import { rpcErrorOf } from '../../../helpers/rpc-error.js';
import { waitFor } from '../../../helpers/wait-for.js';

afterEach(closeInMemoryGateways);

describe('resources/list', () => {
  it('merges the lists of the ready backends with resources, in order, a URI kept by the first that listed it', async () => {
    const alpha = resourceBackend('alpha', {
      resources: [resource('a://one'), resource('shared://x', 'x of alpha')],
    });
    const beta = resourceBackend('beta', {
      resources: [resource('shared://x', 'x of beta'), resource('b://two')],
    });
    const tools = new FakeBackend('tools', { tools: { noop: textResult('') } });
    const starting = resourceBackend(
      'starting',
      { resources: [resource('s://never')] },
      { state: 'starting' },
    );
    const { client } = await connectInMemory(new FakeDirectory([alpha, beta, tools, starting]));

    const { resources } = await client.listResources();

    expect(resources).toEqual([
      { uri: 'a://one', name: 'a://one' },
      { uri: 'shared://x', name: 'x of alpha' },
      { uri: 'b://two', name: 'b://two' },
    ]);
    expect(tools.requests).toEqual([]);
    expect(starting.requests).toEqual([]);
  });

  it('asks for every page of a paginated list', async () => {
    const paged = resourceBackend(
      'paged',
      {},
      {
        requests: {
          'resources/list': (params) =>
            typeof params.cursor === 'string'
              ? { resources: [resource(`p://after-${params.cursor}`)] }
              : { resources: [resource('p://1')], nextCursor: 'page-2' },
        },
      },
    );
    const { client } = await connectInMemory(new FakeDirectory([paged]));

    const { resources } = await client.listResources();

    expect(resources.map((item) => item.uri)).toEqual(['p://1', 'p://after-page-2']);
    expect(paged.requests.map((request) => request.params)).toEqual([undefined, { cursor: 'page-2' }]);
  });

  it('leaves out a backend whose list fails, and lists the others', async () => {
    const broken = resourceBackend(
      'broken',
      {},
      {
        requests: {
          'resources/list': () => {
            throw new ProtocolError(-32603, 'listing exploded');
          },
        },
      },
    );
    const fine = resourceBackend('fine', { resources: [resource('f://ok')] });
    const { client } = await connectInMemory(new FakeDirectory([broken, fine]));

    const { resources } = await client.listResources();

    expect(resources).toEqual([{ uri: 'f://ok', name: 'f://ok' }]);
  });

  it('merges the templates of every backend', async () => {
    const alpha = resourceBackend('alpha', { templates: [{ uriTemplate: 'a://{id}', name: 'a' }] });
    const beta = resourceBackend('beta', { templates: [{ uriTemplate: 'b://items/{id}', name: 'b' }] });
    const { client } = await connectInMemory(new FakeDirectory([alpha, beta]));

    const { resourceTemplates } = await client.listResourceTemplates();

    expect(resourceTemplates).toEqual([
      { uriTemplate: 'a://{id}', name: 'a' },
      { uriTemplate: 'b://items/{id}', name: 'b' },
    ]);
  });
});

describe('resources/read', () => {
  it('reads a listed URI from the backend that listed it first', async () => {
    const alpha = resourceBackend('alpha', { resources: [resource('shared://x')] });
    const beta = resourceBackend('beta', { resources: [resource('shared://x')] });
    const { client } = await connectInMemory(new FakeDirectory([alpha, beta]));
    await client.listResources();

    const read = await client.readResource({ uri: 'shared://x' });

    expect(read).toEqual(readAnswer('alpha', 'shared://x'));
    expect(methodsOf(beta)).toEqual(['resources/list']);
  });

  it('reads a URI that matches a template from the backend of the template, listing first when it is not known', async () => {
    const alpha = resourceBackend('alpha', { resources: [resource('a://one')] });
    const beta = resourceBackend('beta', { templates: [{ uriTemplate: 'b://items/{id}', name: 'item' }] });
    const { client } = await connectInMemory(new FakeDirectory([alpha, beta]));

    const read = await client.readResource({ uri: 'b://items/42' });

    expect(read).toEqual(readAnswer('beta', 'b://items/42'));
    expect(methodsOf(alpha)).toEqual(['resources/list', 'resources/templates/list']);
    expect(beta.requests.at(-1)?.params).toEqual({ uri: 'b://items/42' });
  });

  it('sends a URI nobody listed to the only backend with resources', async () => {
    const only = resourceBackend('only', {});
    const { client } = await connectInMemory(new FakeDirectory([only]));

    const read = await client.readResource({ uri: 'dynamic://made-up' });

    expect(read).toEqual(readAnswer('only', 'dynamic://made-up'));
  });

  it("passes a backend's own error on as the backend sent it: code, message and data", async () => {
    const picky = resourceBackend(
      'picky',
      { resources: [resource('p://secret')] },
      {
        requests: {
          'resources/read': () => {
            throw new ProtocolError(-32602, 'not for you', { reason: 'private' });
          },
        },
      },
    );
    const { client } = await connectInMemory(new FakeDirectory([picky]));

    const error = await rpcErrorOf(client.readResource({ uri: 'p://secret' }));

    expect(error).toEqual({
      code: -32602,
      message: 'not for you',
      data: { reason: 'private' },
    });
  });
});

describe('resource subscriptions', () => {
  it('are forwarded to the owner, and its updates reach only the sessions subscribed until they unsubscribe', async () => {
    const alpha = resourceBackend('alpha', { resources: [resource('a://watched')] });
    const directory = new FakeDirectory([alpha]);
    const subscriber = await connectInMemory(directory);
    const bystander = await connectInMemory(directory, { gateway: subscriber.gateway });
    const updates = { subscriber: [] as unknown[], bystander: [] as unknown[] };
    const barriers = { subscriber: 0, bystander: 0 };
    for (const [name, session] of [
      ['subscriber', subscriber],
      ['bystander', bystander],
    ] as const) {
      session.client.setNotificationHandler('notifications/resources/updated', (notification) => {
        updates[name].push(notification.params);
      });
      // A list change goes to every session: once a session has it, it has what the backend sent before it.
      session.client.setNotificationHandler('notifications/resources/list_changed', () => {
        barriers[name] += 1;
      });
    }
    const sendUpdateThenBarrier = async (count: number): Promise<void> => {
      alpha.sendNotification({ method: 'notifications/resources/updated', params: { uri: 'a://watched' } });
      alpha.sendNotification({ method: 'notifications/resources/list_changed' });
      await waitFor(() => barriers.subscriber === count && barriers.bystander === count, {
        description: `list change ${count} in both sessions`,
      });
    };

    await subscriber.client.subscribeResource({ uri: 'a://watched' });
    await sendUpdateThenBarrier(1);
    await subscriber.client.unsubscribeResource({ uri: 'a://watched' });
    await sendUpdateThenBarrier(2);

    expect(alpha.requests.map((request) => [request.method, request.params])).toEqual([
      ['resources/list', undefined],
      ['resources/templates/list', undefined],
      ['resources/subscribe', { uri: 'a://watched' }],
      ['resources/unsubscribe', { uri: 'a://watched' }],
    ]);
    expect(updates).toEqual({ subscriber: [{ uri: 'a://watched' }], bystander: [] });
  });
});
