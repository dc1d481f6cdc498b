import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { SessionStore } from '../../../../src/transports/http/session-store.js';

describe('SessionStore', () => {
  let closed: string[];
  let store: SessionStore<string>;

  beforeEach(() => {
    vi.useFakeTimers();
    closed = [];
    store = new SessionStore<string>({ idleMs: 1000, onIdle: (value) => closed.push(value) });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes a session once it has had no request for the idle time', () => {
    store.add('a', 'session a', 'token-0').release();
    vi.advanceTimersByTime(999);
    expect(closed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(closed).toEqual(['session a']);
    expect(store.size).toBe(0);
  });

  it('never closes a session while a request holds it, and restarts the idle time when it ends', () => {
    store.add('a', 'session a', 'token-0').release();
    const request = store.acquire('a', 'token-0');
    vi.advanceTimersByTime(5000);
    expect(closed).toEqual([]);
    request?.release();
    request?.release();
    vi.advanceTimersByTime(999);
    expect(closed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(closed).toEqual(['session a']);
  });

  it('hands a session only to the principal that opened it', () => {
    store.add('a', 'session a', 'token-0').release();
    expect(store.acquire('a', 'token-1')).toBeUndefined();
    expect(store.acquire('a', 'token-0')?.value).toBe('session a');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'treats the id %s as any other string',
    (id) => {
      expect(store.acquire(id, 'anonymous')).toBeUndefined();
      expect(store.peek(id)).toBeUndefined();
      expect(store.delete(id)).toBeUndefined();
      store.add(id, `session ${id}`, 'anonymous').release();
      expect(store.acquire(id, 'anonymous')?.value).toBe(`session ${id}`);
      expect(store.ids()).toEqual([id]);
    },
  );

  it('does not hand a deleted session to its idle timer', () => {
    store.add('a', 'session a', 'token-0').release();
    expect(store.delete('a')).toBe('session a');
    vi.advanceTimersByTime(5000);
    expect(closed).toEqual([]);
  });
});
