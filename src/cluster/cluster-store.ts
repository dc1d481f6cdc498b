/**
 * The cluster's shared state in Redis: the registry (a hash of sealed entries, a revision, a sequence counter and an
 * epoch), replica heartbeats, and per-replica backend status. Writes to the registry are atomic scripts, bounded in
 * time, never queued while Redis is unreachable, and refused by Redis once their deadline passed.
 */
import { randomUUID } from 'node:crypto';

import { Redis, type RedisOptions } from 'ioredis';

import { GatewayError } from '../errors/gateway-error.js';
import { PREPARE_SCRIPT, REGISTER_SCRIPT, REMOVE_SCRIPT, RESEED_SCRIPT } from './registry-scripts.js';

/** Keys, all under one prefix (an ACL can be limited to it). */
export const KEYS = {
  registry: 'mcpgw:registry',
  rev: 'mcpgw:registry:rev',
  seq: 'mcpgw:registry:seq',
  epoch: 'mcpgw:registry:epoch',
  changed: 'mcpgw:registry:changed',
  replica: (id: string) => `mcpgw:replica:${id}`,
  status: (server: string) => `mcpgw:status:${server}`,
} as const;

/** How long a registry write may take, all round trips included, before it is reported as failed. */
export const WRITE_TIMEOUT_MS = 2000;
/** Room left between Redis's deadline and the gateway's: a reply still in flight at the deadline. */
const DEADLINE_MARGIN_MS = 300;

/** The registry as read at one moment. */
export interface RegistrySnapshot {
  readonly epoch: string | undefined;
  readonly rev: number;
  /** Sealed entries by name. */
  readonly entries: Readonly<Record<string, string>>;
}

/** What a registry write answered. */
export type WriteOutcome = { readonly rev: number } | 'taken' | 'absent';

/** `redis://…` URLs with their password hidden, for messages. */
export function describeRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

function connectionOptions(url: string): [string | undefined, RedisOptions] {
  const base: RedisOptions = {
    lazyConnect: true,
    connectTimeout: 2000,
    // Reconnects forever, at most a second apart: a replica outlives a Redis restart.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  };
  if (url.startsWith('unix://')) return [undefined, { ...base, path: url.slice('unix://'.length) }];
  return [url, base];
}

function connection(url: string, options: RedisOptions): Redis {
  const [target, base] = connectionOptions(url);
  return target === undefined
    ? new Redis({ ...base, ...options })
    : new Redis(target, { ...base, ...options });
}

/** The store's two connections: commands (never queued offline) and the pub/sub subscriber. */
export class ClusterStore {
  /** Commands: bounded, and failing at once while disconnected rather than waiting to be sent later. */
  readonly redis: Redis;
  private readonly subscriber: Redis;

  constructor(readonly url: string) {
    this.redis = connection(url, {
      enableOfflineQueue: false,
      commandTimeout: WRITE_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
    });
    this.subscriber = connection(url, { maxRetriesPerRequest: null });
    // Connection errors are seen by the calls that fail; without a listener ioredis would print each one.
    this.redis.on('error', () => undefined);
    this.subscriber.on('error', () => undefined);
  }

  /** Connects both connections; rejects saying the store is unreachable. */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.redis.connect(), this.subscriber.connect()]);
      await this.redis.ping();
    } catch (error) {
      this.disconnect();
      throw new GatewayError(
        'invalid_config',
        `cannot reach the cluster store at ${describeRedisUrl(this.url)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** Calls `wake` for each registry change announced (a hint only: the revision check repairs lost ones). */
  async subscribe(wake: () => void): Promise<void> {
    this.subscriber.on('message', wake);
    await this.subscriber.subscribe(KEYS.changed);
  }

  /** The epoch, set now when the store has none. */
  async ensureEpoch(): Promise<string> {
    await this.redis.set(KEYS.epoch, randomUUID(), 'NX');
    return (await this.redis.get(KEYS.epoch)) ?? '';
  }

  /** Epoch and revision, the cheap check that says whether anything changed. */
  async version(): Promise<{ epoch: string | undefined; rev: number }> {
    const [epoch, rev] = await this.redis.mget(KEYS.epoch, KEYS.rev);
    return { epoch: epoch ?? undefined, rev: Number(rev ?? 0) };
  }

  /** Epoch, revision and entries, read atomically. */
  async snapshot(): Promise<RegistrySnapshot> {
    const results = await this.redis.multi().get(KEYS.epoch).get(KEYS.rev).hgetall(KEYS.registry).exec();
    if (results === null) throw new Error('the registry read was aborted');
    const [epoch, rev, entries] = results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    return {
      epoch: (epoch as string | null) ?? undefined,
      rev: Number((rev as string | null) ?? 0),
      entries: (entries as Record<string, string>) ?? {},
    };
  }

  /**
   * Adds the entry `sealFor(seq)` under `name`, atomically, with the next sequence number. Rejects with
   * `cluster_unavailable` when Redis did not acknowledge it in time, in which case it never takes effect.
   */
  register(name: string, sealFor: (seq: number) => string): Promise<WriteOutcome> {
    return this.write(async (deadline) => {
      const prepared = await this.prepare(deadline, true);
      const rev = Number(
        await this.redis.eval(
          REGISTER_SCRIPT,
          2,
          KEYS.registry,
          KEYS.rev,
          prepared.deadline,
          KEYS.changed,
          name,
          sealFor(prepared.seq),
        ),
      );
      return rev === 0 ? 'taken' : { rev };
    });
  }

  /** Removes `name`'s entry atomically; rejects like {@link register}. */
  remove(name: string): Promise<WriteOutcome> {
    return this.write(async (deadline) => {
      const prepared = await this.prepare(deadline, false);
      const rev = Number(
        await this.redis.eval(
          REMOVE_SCRIPT,
          2,
          KEYS.registry,
          KEYS.rev,
          prepared.deadline,
          KEYS.changed,
          name,
        ),
      );
      return rev === 0 ? 'absent' : { rev };
    });
  }

  /** Puts `entries` back into a store that lost its data, keeping those already there. */
  async reseed(
    epoch: string,
    entries: ReadonlyMap<string, { seq: number; sealed: string }>,
  ): Promise<number> {
    const args = [...entries].flatMap(([name, entry]) => [name, entry.sealed, String(entry.seq)]);
    return Number(
      await this.redis.eval(
        RESEED_SCRIPT,
        4,
        KEYS.registry,
        KEYS.rev,
        KEYS.seq,
        KEYS.epoch,
        KEYS.changed,
        epoch,
        ...args,
      ),
    );
  }

  /**
   * Redis's deadline for a write the gateway gives up on at `localDeadline`: Redis's clock as read now, plus the
   * time left, minus the round trip that read it and a margin. Past it, Redis's clock is surely past the gateway's.
   */
  private async prepare(localDeadline: number, withSeq: boolean): Promise<{ deadline: number; seq: number }> {
    const sent = Date.now();
    const [seconds, micros, seq] = (
      withSeq ? await this.redis.eval(PREPARE_SCRIPT, 1, KEYS.seq) : [...(await this.redis.time()), 0]
    ) as [string | number, string | number, number];
    const received = Date.now();
    const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const deadline = redisNow + (localDeadline - received) - (received - sent) - DEADLINE_MARGIN_MS;
    if (deadline <= redisNow) throw new Error('Redis answered too slowly to write in time');
    return { deadline, seq: Number(seq) };
  }

  private async write(run: (localDeadline: number) => Promise<WriteOutcome>): Promise<WriteOutcome> {
    const localDeadline = Date.now() + WRITE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${WRITE_TIMEOUT_MS} ms`)),
        WRITE_TIMEOUT_MS,
      );
    });
    try {
      const outcome = await Promise.race([run(localDeadline), timeout]);
      if (typeof outcome === 'object' && outcome.rev < 0)
        throw new Error('Redis got the write after its deadline');
      return outcome;
    } catch (error) {
      throw new GatewayError(
        'cluster_unavailable',
        `the cluster store (${describeRedisUrl(this.url)}) is unreachable: ${(error as Error).message}. ` +
          'Nothing was changed; try again once Redis is back.',
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes both connections at once (nothing is waited for). */
  disconnect(): void {
    this.redis.disconnect();
    this.subscriber.disconnect();
  }
}
