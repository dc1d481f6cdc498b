/**
 * The stdio front door's startup gate: `server/discover` is answered before any backend starts; any other message
 * starts them (once) and waits, and what waited is delivered in arrival order.
 */
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { describe, expect, it, vi } from 'vitest';

import { StartupGate } from '../../../src/transports/startup-gate.js';

/** A transport the test feeds messages into, as if read from stdin. */
class FedTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  start = (): Promise<void> => Promise.resolve();
  send = (): Promise<void> => Promise.resolve();
  close = (): Promise<void> => Promise.resolve();
  feed(message: JSONRPCMessage): void {
    this.onmessage?.(message);
  }
}

function request(id: number, method: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, method, params: {} };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A gate over a fed transport, recording what it lets through and how often it started the backends. */
function gate(start: () => Promise<void>) {
  const inner = new FedTransport();
  let starts = 0;
  const gated = new StartupGate(inner, () => {
    starts += 1;
    return start();
  });
  const delivered: unknown[] = [];
  gated.onmessage = (message) =>
    delivered.push('id' in message ? message.id : 'method' in message ? message.method : undefined);
  const errors: Error[] = [];
  gated.onerror = (error) => errors.push(error);
  return { inner, delivered, errors, starts: () => starts };
}

describe('StartupGate', () => {
  it('passes server/discover through at once without starting the backends', () => {
    const { inner, delivered, starts } = gate(() => new Promise(() => undefined));

    inner.feed(request(1, 'server/discover'));
    inner.feed(request(2, 'server/discover'));

    expect(delivered).toEqual([1, 2]);
    expect(starts()).toBe(0);
  });

  it('holds every other message until the backends started, then delivers them in order, starting once', async () => {
    const started = deferred();
    const { inner, delivered, starts } = gate(() => started.promise);

    inner.feed(request(1, 'initialize'));
    inner.feed({ jsonrpc: '2.0', method: 'notifications/initialized' });
    inner.feed(request(2, 'server/discover'));
    inner.feed(request(3, 'tools/list'));
    expect(delivered).toEqual([]);
    expect(starts()).toBe(1);

    started.resolve();
    await vi.waitFor(() => expect(delivered).toEqual([1, 'notifications/initialized', 2, 3]));

    inner.feed(request(4, 'tools/call'));
    expect(delivered.at(-1)).toBe(4);
    expect(starts()).toBe(1);
  });

  it('reports a start that failed and still serves what waited', async () => {
    const started = deferred();
    const { inner, delivered, errors } = gate(() => started.promise);

    inner.feed(request(1, 'initialize'));
    started.reject(new Error('no config'));

    await vi.waitFor(() => expect(delivered).toEqual([1]));
    expect(errors.map((error) => error.message)).toEqual(['no config']);
  });
});
