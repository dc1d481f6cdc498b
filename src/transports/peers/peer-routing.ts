/**
 * What the HTTP front door of a cluster replica knows of its peers, and the forwarding header between replicas. A
 * request for a session (or a waiting 2026-07-28 call) owned by another replica is passed to that owner once; the
 * hop is marked with a header signed with a key only replicas hold, so that a client cannot forge it and a
 * forwarded request is never forwarded again (no loops).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a forwarded request carries: `<from replica>;<signature>`. */
export const HOP_HEADER = 'mcp-gateway-forwarded';

/** How a replica finds the owner of a request. */
export interface PeerRouting {
  /** This replica's id: the prefix of the session ids it mints. */
  readonly self: string;
  /**
   * The MCP endpoint URL of live replica `id`, as its last heartbeat said; undefined when it is not alive (no
   * heartbeat: it stopped, or died and its heartbeat expired).
   */
  urlOf(id: string): Promise<string | undefined>;
  /** The key hop headers are signed with (derived from the cluster key). */
  readonly hopKey: Buffer;
  /** The replica a 2026-07-28 `requestState` belongs to, or undefined when it names none. */
  ownerOfState(state: string): string | undefined;
  /**
   * Settles once the peers can find this replica (its first heartbeat is written); requests that would open a
   * session or name none wait for it. Absent: found from the start.
   */
  readonly joined?: Promise<void> | undefined;
}

/** The replica a session id names (`<replica>.<uuid>`), or undefined for an id without one. */
export function ownerOfSession(sessionId: string): string | undefined {
  const dot = sessionId.indexOf('.');
  return dot > 0 ? sessionId.slice(0, dot) : undefined;
}

/** Signatures already computed, by key: a session's requests all carry the same one (an HMAC is ~10 µs). */
const signed = new WeakMap<Buffer, Map<string, string>>();
const SIGNED_LIMIT = 4096;

function signature(key: Buffer, from: string, to: string, route: string): string {
  const text = `${from}\n${to}\n${route}`;
  let known = signed.get(key);
  if (known === undefined) signed.set(key, (known = new Map<string, string>()));
  const cached = known.get(text);
  if (cached !== undefined) return cached;
  const value = createHmac('sha256', key).update(text).digest('base64url');
  // Bounded: past the limit it starts over (sessions are long-lived; a refill costs one HMAC each).
  if (known.size >= SIGNED_LIMIT) known.clear();
  known.set(text, value);
  return value;
}

/** The hop header's value for a request `from` forwards `to` its owner, for `route` (the session id or state). */
export function signHop(key: Buffer, from: string, to: string, route: string): string {
  return `${from};${signature(key, from, to, route)}`;
}

/**
 * Whether `value` is a hop header another replica signed for a request to `self` about `route`: the sending
 * replica, or undefined for a forged, altered or replayed-elsewhere one.
 */
export function readHop(key: Buffer, value: string, self: string, route: string): string | undefined {
  const separator = value.indexOf(';');
  if (separator <= 0) return undefined;
  const from = value.slice(0, separator);
  const given = Buffer.from(value.slice(separator + 1));
  const expected = Buffer.from(signature(key, from, self, route));
  return given.length === expected.length && timingSafeEqual(given, expected) ? from : undefined;
}
