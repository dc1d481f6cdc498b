import { describe, expect, it } from 'vitest';

import { findCycle, transitiveDependencies } from '../../../src/pipelines/step-graph.js';

describe('findCycle', () => {
  it('finds none in a diamond, whatever the order of the steps', () => {
    expect(
      findCycle([
        { id: 'd', after: ['b', 'c'] },
        { id: 'b', after: ['a'] },
        { id: 'c', after: ['a'] },
        { id: 'a', after: [] },
      ]),
    ).toBeUndefined();
  });

  it('gives the path of a cycle, starting and ending with the same step', () => {
    expect(
      findCycle([
        { id: 'a', after: [] },
        { id: 'b', after: ['a', 'd'] },
        { id: 'c', after: ['b'] },
        { id: 'd', after: ['c'] },
      ]),
    ).toEqual(['b', 'd', 'c', 'b']);
  });

  it('reports a step waiting for itself as a cycle of one', () => {
    expect(findCycle([{ id: 'a', after: ['a'] }])).toEqual(['a', 'a']);
  });

  it('ignores ids that name no step', () => {
    expect(findCycle([{ id: 'a', after: ['ghost'] }])).toBeUndefined();
  });
});

describe('transitiveDependencies', () => {
  it('gives each step everything it waits for, directly or through other steps', () => {
    const closure = transitiveDependencies([
      { id: 'a', after: [] },
      { id: 'b', after: ['a'] },
      { id: 'c', after: ['a'] },
      { id: 'd', after: ['b', 'c'] },
      { id: 'e', after: [] },
    ]);

    expect(Object.fromEntries([...closure].map(([id, set]) => [id, [...set].sort()]))).toEqual({
      a: [],
      b: ['a'],
      c: ['a'],
      d: ['a', 'b', 'c'],
      e: [],
    });
  });
});
