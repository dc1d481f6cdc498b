import { describe, expect, it } from 'vitest';

import { LineSplitter, LineTooLongError } from '../../../src/rpc/line-splitter.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('LineSplitter', () => {
  it('returns every complete line of a chunk, without the newline', () => {
    const splitter = new LineSplitter(1024);

    expect(splitter.push(bytes('{"a":1}\n{"b":2}\n'))).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('keeps a partial line until its newline arrives', () => {
    const splitter = new LineSplitter(1024);

    expect(splitter.push(bytes('{"id":'))).toEqual([]);
    expect(splitter.push(bytes('1,"x":'))).toEqual([]);
    expect(splitter.push(bytes('2}\n{"id":2'))).toEqual(['{"id":1,"x":2}']);
    expect(splitter.push(bytes('}\n'))).toEqual(['{"id":2}']);
  });

  it('returns a line whose newline is the first byte of the next chunk', () => {
    const splitter = new LineSplitter(1024);

    expect(splitter.push(bytes('abc'))).toEqual([]);
    expect(splitter.push(bytes('\ndef\n'))).toEqual(['abc', 'def']);
  });

  it('returns empty lines as empty strings', () => {
    const splitter = new LineSplitter(1024);

    expect(splitter.push(bytes('\n\na\n'))).toEqual(['', '', 'a']);
  });

  it('removes the carriage return of CRLF line ends, also when CR and LF arrive in different chunks', () => {
    const splitter = new LineSplitter(1024);

    expect(splitter.push(bytes('one\r\ntwo\r'))).toEqual(['one']);
    expect(splitter.push(bytes('\nthree\r\n'))).toEqual(['two', 'three']);
  });

  it('removes only one trailing carriage return and keeps carriage returns inside a line', () => {
    const splitter = new LineSplitter(1024);

    expect(splitter.push(bytes('a\rb\r\r\n'))).toEqual(['a\rb\r']);
  });

  it('decodes a multi-byte UTF-8 character split across chunks', () => {
    const splitter = new LineSplitter(1024);
    const line = bytes('température: 21 °C ☀ 🌤\n');
    const sun = line.indexOf(bytes('☀'));
    const cloud = line.indexOf(bytes('🌤'));

    const lines = [
      ...splitter.push(line.subarray(0, sun + 1)),
      ...splitter.push(line.subarray(sun + 1, sun + 2)),
      ...splitter.push(line.subarray(sun + 2, cloud + 2)),
      ...splitter.push(line.subarray(cloud + 2)),
    ];

    expect(lines).toEqual(['température: 21 °C ☀ 🌤']);
  });

  it('decodes a line fed one byte at a time', () => {
    const splitter = new LineSplitter(1024);
    const input = bytes('héllo wörld ✓\nsecond\n');

    const lines: string[] = [];
    for (let index = 0; index < input.length; index += 1)
      lines.push(...splitter.push(input.subarray(index, index + 1)));

    expect(lines).toEqual(['héllo wörld ✓', 'second']);
  });

  it('accepts a line of exactly the limit, counted in bytes', () => {
    const splitter = new LineSplitter(4);

    expect(splitter.push(bytes('abcd\n'))).toEqual(['abcd']);
    expect(splitter.push(bytes('éé\n'))).toEqual(['éé']);
  });

  it('throws LineTooLongError for a complete line over the limit', () => {
    const splitter = new LineSplitter(4);

    expect(() => splitter.push(bytes('abcde\n'))).toThrow(LineTooLongError);
  });

  it('throws as soon as a partial line grows over the limit, before its newline arrives', () => {
    const splitter = new LineSplitter(8);
    splitter.push(bytes('12345'));

    let caught: unknown;
    try {
      splitter.push(bytes('6789'));
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(LineTooLongError);
    expect((caught as Error).name).toBe('LineTooLongError');
    expect((caught as Error).message).toBe('a message exceeded the limit of 8 bytes (9 bytes so far)');
  });

  it('counts the bytes of multi-byte characters against the limit', () => {
    const splitter = new LineSplitter(5);

    expect(() => splitter.push(bytes('ééé\n'))).toThrow(
      'a message exceeded the limit of 5 bytes (6 bytes so far)',
    );
  });

  it('counts a partial line kept from earlier chunks against the limit of the line it ends', () => {
    const splitter = new LineSplitter(6);
    splitter.push(bytes('abcd'));

    expect(() => splitter.push(bytes('efg\n'))).toThrow(
      'a message exceeded the limit of 6 bytes (7 bytes so far)',
    );
  });

  it('forgets the rejected partial line, so that the next line starts clean', () => {
    const splitter = new LineSplitter(4);
    expect(() => splitter.push(bytes('too long'))).toThrow(LineTooLongError);

    expect(splitter.push(bytes('ok\n'))).toEqual(['ok']);
  });

  it('returns nothing for an empty chunk', () => {
    const splitter = new LineSplitter(4);

    expect(splitter.push(Buffer.alloc(0))).toEqual([]);
    expect(splitter.push(bytes('a\n'))).toEqual(['a']);
  });
});
