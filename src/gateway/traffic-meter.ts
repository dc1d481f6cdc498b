/**
 * Where the front doors' byte counts are read: each front door registers a source (a stdio connection's counts,
 * an HTTP listener's sockets), and the totals are summed when someone asks (metrics, at collection). A source
 * removed leaves its last counts behind, so the totals only grow.
 */
import type { FrontDoorTraffic, TrafficCount } from '../shared/observation.js';

type Kind = FrontDoorTraffic['frontDoor'];

/** The byte counts of a gateway's front doors. */
export class TrafficMeter {
  private readonly sources = new Map<symbol, { readonly kind: Kind; readonly read: () => TrafficCount }>();
  private readonly ended = new Map<Kind, { in: number; out: number }>();

  /** Adds a source; returns the function that removes it, keeping what it counted. */
  add(kind: Kind, read: () => TrafficCount): () => void {
    const key = Symbol(kind);
    this.sources.set(key, { kind, read });
    return () => {
      if (!this.sources.delete(key)) return;
      const last = read();
      const total = this.totalOf(this.ended, kind);
      total.in += last.in;
      total.out += last.out;
    };
  }

  /** The totals of every kind of front door that carried anything or is open. */
  totals(): FrontDoorTraffic[] {
    const sums = new Map<Kind, { in: number; out: number }>();
    for (const [kind, ended] of this.ended) sums.set(kind, { ...ended });
    for (const { kind, read } of this.sources.values()) {
      const count = read();
      const total = this.totalOf(sums, kind);
      total.in += count.in;
      total.out += count.out;
    }
    return [...sums].map(([frontDoor, total]) => ({ frontDoor, in: total.in, out: total.out }));
  }

  private totalOf(map: Map<Kind, { in: number; out: number }>, kind: Kind): { in: number; out: number } {
    let total = map.get(kind);
    if (!total) map.set(kind, (total = { in: 0, out: 0 }));
    return total;
  }
}
