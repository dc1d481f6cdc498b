import { PassThrough, Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { LineWriter } from '../../../src/rpc/line-writer.js';

/** A writable that records each write call it gets. */
function recorder(highWaterMark = 16_384): { stream: Writable; writes: string[]; release: () => void } {
  const writes: string[] = [];
  let held: (() => void) | undefined;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      if (highWaterMark === 0) held = done;
      else done();
    },
  });
  return { stream, writes, release: () => held?.() };
}

describe('LineWriter', () => {
  it('coalesces the lines sent in the same turn into one write, in order', async () => {
    const { stream, writes } = recorder();
    const writer = new LineWriter(stream);
    await Promise.all([writer.write('a'), writer.write('b'), writer.write('c')]);
    expect(writes).toEqual(['a\nb\nc\n']);
  });

  it('writes lines sent in later turns separately', async () => {
    const { stream, writes } = recorder();
    const writer = new LineWriter(stream);
    await writer.write('first');
    await writer.write('second');
    expect(writes).toEqual(['first\n', 'second\n']);
  });

  it('resolves only once the stream drains under backpressure', async () => {
    const { stream, writes, release } = recorder(0);
    const writer = new LineWriter(stream);
    let done = false;
    const written = writer.write('slow').then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['slow\n']);
    expect(done).toBe(false);
    release();
    await written;
    expect(done).toBe(true);
  });

  it('stops waiting for drain when the stream closes', async () => {
    const { stream } = recorder(0);
    const writer = new LineWriter(stream);
    const written = writer.write('never drained');
    await new Promise((resolve) => setImmediate(resolve));
    stream.destroy();
    await expect(written).resolves.toBeUndefined();
    expect(stream.listenerCount('drain')).toBe(0);
  });

  it('rejects a write to a stream that is already closed', async () => {
    const stream = new PassThrough();
    stream.destroy();
    await expect(new LineWriter(stream).write('x')).rejects.toThrow('the stream is closed');
  });

  it('writes the queued lines before ending the stream', async () => {
    const { stream, writes } = recorder();
    const writer = new LineWriter(stream);
    const written = writer.write('last words');
    writer.end();
    await written;
    expect(writes).toEqual(['last words\n']);
    expect(stream.writableEnded).toBe(true);
  });
});
