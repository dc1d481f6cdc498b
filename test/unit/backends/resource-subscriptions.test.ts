import { describe, expect, it } from 'vitest';

import { ResourceSubscriptions } from '../../../src/backends/resource-subscriptions.js';
import type { BackendConnection } from '../../../src/backends/connection/connection.js';
import type { Exchanger } from '../../../src/backends/exchange/tool-call.js';
import { silentLogger } from '../../../src/logger.js';
import type { RpcMessage } from '../../../src/rpc/outgoing-requests.js';

/** A 2025 backend's subscriptions, with what reaches the backend recorded and `refuse` failing a request. */
function legacyBackend(refuse: (message: RpcMessage) => boolean = () => false) {
  const sent: string[] = [];
  const send = (async (message: RpcMessage, check: (result: Record<string, unknown>) => unknown) => {
    sent.push(`${message.method} ${String((message.params as { uri: string }).uri)}`);
    await Promise.resolve();
    if (refuse(message)) throw new Error(`refused ${message.method}`);
    return check({});
  }) as Exchanger;
  const connection = { changes: undefined } as unknown as BackendConnection;
  const subscriptions = new ResourceSubscriptions('files', send, () => connection, silentLogger);
  return { sent, subscriptions, connection };
}

describe('ResourceSubscriptions', () => {
  it('tells the backend once per resource, however many sessions hold it, and lets go with the last', async () => {
    const { sent, subscriptions } = legacyBackend();
    const [first, second] = [{}, {}];
    await subscriptions.subscribe('file:///a', first);
    await subscriptions.subscribe('file:///a', second);
    await subscriptions.subscribe('file:///a', first);
    expect(sent).toEqual(['resources/subscribe file:///a']);

    await subscriptions.unsubscribe('file:///a', first);
    expect(sent).toEqual(['resources/subscribe file:///a']);
    await subscriptions.unsubscribe('file:///a', second);
    expect(sent).toEqual(['resources/subscribe file:///a', 'resources/unsubscribe file:///a']);
    expect(subscriptions.uris).toEqual([]);

    // Letting go of what one never held tells nobody.
    await subscriptions.unsubscribe('file:///a', second);
    expect(sent).toHaveLength(2);
  });

  it('ends what only a released session held, and keeps what others hold', async () => {
    const { sent, subscriptions } = legacyBackend();
    const [gone, staying] = [{}, {}];
    await subscriptions.subscribe('file:///shared', gone);
    await subscriptions.subscribe('file:///shared', staying);
    await subscriptions.subscribe('file:///own', gone);
    subscriptions.release(gone);
    subscriptions.release(gone);
    await Promise.resolve();
    expect(subscriptions.uris).toEqual(['file:///shared']);
    await expect.poll(() => sent).toContain('resources/unsubscribe file:///own');
    expect(sent.filter((line) => line.startsWith('resources/unsubscribe'))).toEqual([
      'resources/unsubscribe file:///own',
    ]);
  });

  it('undoes a subscription the backend refused, so the next one asks again', async () => {
    let refusing = true;
    const { sent, subscriptions } = legacyBackend(() => refusing);
    await expect(subscriptions.subscribe('file:///a', {})).rejects.toThrow('refused resources/subscribe');
    expect(subscriptions.uris).toEqual([]);
    refusing = false;
    await subscriptions.subscribe('file:///a', {});
    expect(sent).toEqual(['resources/subscribe file:///a', 'resources/subscribe file:///a']);
  });

  it('gives a new connection every subscription held', async () => {
    const { sent, subscriptions, connection } = legacyBackend();
    await subscriptions.subscribe('file:///a', {});
    await subscriptions.subscribe('file:///b', {});
    sent.length = 0;
    await subscriptions.restore(connection);
    expect(sent.sort()).toEqual(['resources/subscribe file:///a', 'resources/subscribe file:///b']);
  });
});
