import { describe, expect, it } from 'vitest';

import { exposureOrder, planReconcile, type AppliedEntry } from '../../../src/cluster/registry-order.js';

const applied = (entries: Record<string, number>): Map<string, AppliedEntry> =>
  new Map(Object.entries(entries).map(([name, seq]) => [name, { seq, sealed: `s-${name}-${seq}` }]));
const accepted = (entries: Record<string, number>) =>
  Object.entries(entries).map(([name, seq]) => ({ name, seq, sealed: `s-${name}-${seq}` }));

describe('reconcile plans', () => {
  it('adds what is missing in seq order, whatever order the registry lists it in', () => {
    const plan = planReconcile(applied({}), accepted({ c: 9, a: 2, b: 5 }), new Set(), false);
    expect(plan.add.map((entry) => entry.name)).toEqual(['a', 'b', 'c']);
    expect(plan.remove).toEqual([]);
  });

  it('removes what is gone, and registers again a name that came back with another seq', () => {
    const plan = planReconcile(applied({ a: 1, b: 2 }), accepted({ b: 4, c: 3 }), new Set(), false);
    expect([...plan.remove].sort()).toEqual(['a', 'b']);
    expect(plan.add.map((entry) => `${entry.name}:${entry.seq}`)).toEqual(['c:3', 'b:4']);
  });

  it('leaves alone what is kept (refused entries, changes under way) and removes nothing after a store reset', () => {
    expect(planReconcile(applied({ a: 1 }), accepted({}), new Set(['a']), false).remove).toEqual([]);
    expect(planReconcile(applied({ a: 1, b: 2 }), accepted({}), new Set(), true).remove).toEqual([]);
    expect(planReconcile(applied({ a: 1 }), accepted({ a: 1 }), new Set(), false)).toEqual({
      remove: [],
      add: [],
    });
  });
});

describe('exposure order', () => {
  it('puts config servers first in their own order, then runtime entries by seq', () => {
    const seqs: Record<string, number | undefined> = { cfg2: undefined, r9: 9, cfg1: undefined, r3: 3 };
    const order = exposureOrder(['r9', 'cfg2', 'r3', 'cfg1'], (name) => seqs[name]);
    expect(order).toEqual(['cfg2', 'cfg1', 'r3', 'r9']);
  });

  it('gives two replicas that saw registrations arrive in opposite orders the same order', () => {
    const seqs: Record<string, number> = { x: 4, y: 5 };
    const seqOf = (name: string) => seqs[name];
    expect(exposureOrder(['y', 'x'], seqOf)).toEqual(exposureOrder(['x', 'y'], seqOf));
  });
});
