import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ClusterStore, KEYS } from '../../src/cluster/cluster-store.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { redisSkipReason, startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const skip = redisSkipReason();

describe.skipIf(skip !== undefined)('the cluster store against a real Redis', () => {
  let redis: TestRedis;
  let store: ClusterStore;

  beforeAll(async () => {
    redis = await startTestRedis();
    store = new ClusterStore(redis.url);
    await store.connect();
  });

  afterAll(async () => {
    store?.disconnect();
    await redis?.stop();
  });

  it('takes a name once, numbers entries in order, and says when a removed name is absent', async () => {
    const first = await store.register('a', (seq) => `sealed-a-${seq}`);
    const taken = await store.register('a', (seq) => `sealed-a-${seq}`);
    const second = await store.register('b', (seq) => `sealed-b-${seq}`);
    expect(first).toEqual({ rev: 1 });
    expect(taken).toBe('taken');
    expect(second).toEqual({ rev: 2 });
    const snapshot = await store.snapshot();
    expect(snapshot.entries).toEqual({ a: 'sealed-a-1', b: 'sealed-b-3' });
    expect(await store.remove('a')).toEqual({ rev: 3 });
    expect(await store.remove('a')).toBe('absent');
  });

  it('refuses, when Redis gets to it late, a write it reported as failed', async () => {
    const started = Date.now();
    // Frozen between the two round trips: the write itself is sent to a Redis that answers nothing.
    const failed = store.register('stalled', (seq) => {
      redis.pause();
      return `sealed-stalled-${seq}`;
    });
    try {
      const error = await failed.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe('cluster_unavailable');
      expect((error as GatewayError).message).toMatch(/is unreachable: .*Nothing was changed/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      redis.resume();
    }
    // Redis now runs the script it held; its deadline has passed, so nothing is written.
    const after = await store.register('after', (seq) => `sealed-after-${seq}`);
    expect(after).not.toBe('taken');
    expect(await redis.client.hexists(KEYS.registry, 'stalled')).toBe(0);
  });

  it('refuses to start against a store it cannot reach, saying where', async () => {
    const down = new ClusterStore('unix:///nonexistent/redis.sock');
    await expect(down.connect()).rejects.toThrow(/cannot reach the cluster store at unix:\/\/\/nonexistent/);
  });
});
