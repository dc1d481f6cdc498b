/**
 * Which replicas are alive and where: each replica writes a signed heartbeat (a key that expires unless refreshed)
 * and keeps a cached view of its peers, refreshed in the background, so that nothing on a request's path reads
 * Redis. Session forwarding between replicas builds on this view.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Logger } from '../logger.js';
import { KEYS, type ClusterStore } from './cluster-store.js';

/** How long a heartbeat lives without being refreshed, in seconds. */
export const HEARTBEAT_TTL_S = 15;
/** How often a replica refreshes its heartbeat. */
export const HEARTBEAT_EVERY_MS = 5000;
/** How often the cached view of peers is refreshed. */
export const PEERS_EVERY_MS = 2000;

/** A live replica as its heartbeat describes it. */
export interface Peer {
  readonly id: string;
  /** Where other replicas reach it. */
  readonly url: string;
  readonly version: string;
  /** When it wrote its heartbeat (ISO 8601). */
  readonly at: string;
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

/** `<json>.<hmac>`: a heartbeat only holders of the cluster key can write. */
export function signedHeartbeat(key: Buffer, peer: Peer): string {
  const body = JSON.stringify(peer);
  return `${body}.${sign(key, body)}`;
}

/** The peer a heartbeat names, or undefined when its signature does not check out. */
export function readHeartbeat(key: Buffer, value: string): Peer | undefined {
  const dot = value.lastIndexOf('.');
  if (dot < 0) return undefined;
  const body = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(key, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const peer = JSON.parse(body) as Peer;
    return typeof peer.id === 'string' && typeof peer.url === 'string' ? peer : undefined;
  } catch {
    return undefined;
  }
}

/** This replica's heartbeat and its view of the others. */
export class Membership {
  private view = new Map<string, Peer>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: ClusterStore,
    private readonly signKey: Buffer,
    private readonly self: Omit<Peer, 'at'>,
    private readonly logger: Logger,
  ) {}

  /** Writes the first heartbeat and reads the peers, then keeps both fresh. */
  async start(): Promise<void> {
    await this.beat();
    await this.refresh();
    const every = (ms: number, run: () => Promise<void>): void => {
      const timer = setInterval(() => void run(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(HEARTBEAT_EVERY_MS, () => this.beat());
    every(PEERS_EVERY_MS, () => this.refresh());
  }

  /** The live replicas, this one included, as last seen (no Redis read). */
  peers(): ReadonlyMap<string, Peer> {
    return this.view;
  }

  /**
   * Where replica `id` is: from the cached view, or else read from the store once (a replica that joined since the
   * last refresh); undefined when it has no valid heartbeat, or the store cannot say.
   */
  async lookup(id: string): Promise<Peer | undefined> {
    const cached = this.view.get(id);
    if (cached !== undefined) return cached;
    try {
      const value = await this.store.redis.get(KEYS.replica(id));
      return value === null ? undefined : readHeartbeat(this.signKey, value);
    } catch {
      return undefined;
    }
  }

  /** Stops the heartbeat and removes it, so peers stop counting this replica at once. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.store.redis.del(KEYS.replica(this.self.id)).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const value = signedHeartbeat(this.signKey, { ...this.self, at: new Date().toISOString() });
    try {
      await this.store.redis.set(KEYS.replica(this.self.id), value, 'EX', HEARTBEAT_TTL_S);
    } catch (error) {
      this.logger.debug('heartbeat not written (cluster store unreachable)', {
        reason: (error as Error).message,
      });
    }
  }

  private async refresh(): Promise<void> {
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await this.store.redis.scan(cursor, 'MATCH', KEYS.replica('*'), 'COUNT', 100);
        keys.push(...found);
        cursor = next;
      } while (cursor !== '0');
      const values = keys.length > 0 ? await this.store.redis.mget(...keys) : [];
      const view = new Map<string, Peer>();
      for (const value of values) {
        const peer = value === null ? undefined : readHeartbeat(this.signKey, value);
        if (peer !== undefined) view.set(peer.id, peer);
      }
      this.view = view;
    } catch {
      // Kept as it was: forwarding goes on with the last view while Redis is unreachable.
    }
  }
}
