import { describe, expect, it } from 'vitest';

import { GroupedWrites } from '../../../src/observe/grouped-writes.js';

describe('GroupedWrites', () => {
  it('writes the first line at once and the lines that come meanwhile together, settling each with its write', async () => {
    const chunks: string[] = [];
    const pending: ((error?: Error) => void)[] = [];
    const writes = new GroupedWrites((chunk, done) => {
      chunks.push(chunk);
      pending.push(done);
    });
    const settled: string[] = [];
    const first = writes.add('a\n').then(() => settled.push('a'));
    const second = writes.add('b\n').then(() => settled.push('b'));
    const third = writes.add('c\n').then((error) => settled.push(`c:${error?.message}`));
    expect(chunks).toEqual(['a\n']);
    pending.shift()?.();
    await first;
    expect(settled).toEqual(['a']);
    expect(chunks).toEqual(['a\n', 'b\nc\n']);
    let idle = false;
    const allSettled = writes.settled().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    pending.shift()?.(new Error('disk full'));
    await Promise.all([second, third, allSettled]);
    expect(settled).toEqual(['a', 'b', 'c:disk full']);
    expect(idle).toBe(true);
  });
});
