/**
 * A session's recent SSE events: replayed after the id a client last saw, for that stream only and in order,
 * without the priming event, within the window and the count; an id no longer kept is refused.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { ResumableEvents } from '../../../src/transports/resumable-events.js';

const note = (n: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { n },
});

async function replay(store: ResumableEvents, after: string): Promise<Array<[string, JSONRPCMessage]>> {
  const sent: Array<[string, JSONRPCMessage]> = [];
  await store.replayEventsAfter(after, {
    send: (id, message) => {
      sent.push([id, message]);
      return Promise.resolve();
    },
  });
  return sent;
}

describe('ResumableEvents', () => {
  it('replays what came after an event on its own stream, in order, and names the stream', async () => {
    const store = new ResumableEvents();
    const priming = await store.storeEvent('a', {} as JSONRPCMessage);
    const first = await store.storeEvent('a', note(1));
    await store.storeEvent('b', note(99));
    const second = await store.storeEvent('a', note(2));
    const answer: JSONRPCMessage = { jsonrpc: '2.0', id: 7, result: {} };
    const third = await store.storeEvent('a', answer);

    expect(await replay(store, priming)).toEqual([
      [first, note(1)],
      [second, note(2)],
      [third, answer],
    ]);
    expect(await replay(store, second)).toEqual([[third, answer]]);
    expect(await store.getStreamIdForEventId(first)).toBe('a');
    expect(await store.replayEventsAfter(first, { send: () => Promise.resolve() })).toBe('a');
  });

  it('forgets events past the window and past the count, and refuses to resume from them', async () => {
    let now = 0;
    const store = new ResumableEvents(1000, 3, () => now);
    const old = await store.storeEvent('a', note(1));
    now = 1500;
    const kept = await store.storeEvent('a', note(2));

    expect(await store.getStreamIdForEventId(old)).toBeUndefined();
    await expect(replay(store, old)).rejects.toThrow('no longer kept');
    expect(await store.getStreamIdForEventId(kept)).toBe('a');

    const ids = [];
    for (let n = 3; n <= 6; n += 1) ids.push(await store.storeEvent('a', note(n)));
    // At most three kept: the three newest.
    expect(await store.getStreamIdForEventId(kept)).toBeUndefined();
    expect(await store.getStreamIdForEventId(ids[0] ?? '')).toBeUndefined();
    expect(await replay(store, ids[1] ?? '')).toEqual([
      [ids[2], note(5)],
      [ids[3], note(6)],
    ]);
  });

  it('stays bounded over many events', async () => {
    const store = new ResumableEvents(60_000, 10);
    let last = '';
    for (let n = 0; n < 5000; n += 1) last = await store.storeEvent(`s${n % 3}`, note(n));
    const kept = (store as unknown as { events: unknown[]; first: number }).events;

    expect(kept.length).toBeLessThanOrEqual(10 + 130);
    expect(await store.getStreamIdForEventId(last)).toBe('s1');
  });
});
