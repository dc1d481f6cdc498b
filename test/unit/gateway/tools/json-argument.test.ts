import { describe, expect, it } from 'vitest';

import { GatewayError } from '../../../../src/errors/gateway-error.js';
import { parseJsonArgument, parseJsonObjectArgument } from '../../../../src/gateway/tools/json-argument.js';

/** The error `fn` throws; fails when it throws nothing. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseJsonArgument', () => {
  it('returns a value that is not a string as it is', () => {
    const value = { a: [1, 2] };

    expect(parseJsonArgument(value, 'params')).toBe(value);
    expect(parseJsonArgument(undefined, 'params')).toBeUndefined();
    expect(parseJsonArgument(42, 'params')).toBe(42);
  });

  it('parses a string holding JSON of any kind', () => {
    expect(parseJsonArgument('{"state": "CA", "n": [1, null]}', 'params')).toEqual({
      state: 'CA',
      n: [1, null],
    });
    expect(parseJsonArgument('[1, "two"]', 'steps')).toEqual([1, 'two']);
    expect(parseJsonArgument('"text"', 'input')).toBe('text');
  });

  it('treats an empty or blank string as absent', () => {
    expect(parseJsonArgument('', 'params')).toBeUndefined();
    expect(parseJsonArgument(' \n\t', 'params')).toBeUndefined();
  });

  it('throws an invalid_input GatewayError naming the argument when the string is not JSON', () => {
    const error = thrownBy(() => parseJsonArgument('{"a": }', 'params'));

    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_input');
    expect(error.message).toMatch(/^params is not valid JSON: /);
  });

  it('gives line and column of an unexpected token', () => {
    expect(thrownBy(() => parseJsonArgument('{"a": }', 'params')).message).toMatch(/\(line 1, column 7\)$/);
    expect(thrownBy(() => parseJsonArgument('abc', 'params')).message).toMatch(/\(line 1, column 1\)$/);
  });

  it('finds the unexpected token outside string literals, not a same character inside one', () => {
    const message = thrownBy(() => parseJsonArgument('{"a}": "}", "b": }', 'params')).message;

    expect(message).toMatch(/\(line 1, column 18\)$/);
  });

  it('gives line and column on the right line of a multi-line text', () => {
    const message = thrownBy(() => parseJsonArgument('{\n  "a": 1,\n}', 'params')).message;

    expect(message).toMatch(/\(line 3, column 1\)$/);
  });

  it('gives line and column of an error reported at a position', () => {
    expect(thrownBy(() => parseJsonArgument('{"a" 1}', 'params')).message).toMatch(/\(line 1, column 6\)$/);
    expect(thrownBy(() => parseJsonArgument('{} x', 'params')).message).toMatch(/\(line 1, column 4\)$/);
  });

  it('places an unexpected end of input and an unterminated string at the end of the text', () => {
    expect(thrownBy(() => parseJsonArgument('{"a": 1', 'params')).message).toMatch(/\(line 1, column 8\)$/);
    expect(thrownBy(() => parseJsonArgument('{\n"a": "x', 'params')).message).toMatch(
      /\(line 2, column 8\)$/,
    );
  });

  it('points at the offending character when the same character occurs earlier, legitimately', () => {
    const message = thrownBy(() => parseJsonArgument('[[1], ]', 'params')).message;

    expect(message).toMatch(/\(line 1, column 7\)$/);
  });
});

describe('parseJsonObjectArgument', () => {
  it('returns an object given as a value or as a JSON string', () => {
    expect(parseJsonObjectArgument({ state: 'NY' }, 'input')).toEqual({ state: 'NY' });
    expect(parseJsonObjectArgument('{"state": "NY"}', 'input')).toEqual({ state: 'NY' });
  });

  it('returns an empty object when the argument is absent or blank', () => {
    expect(parseJsonObjectArgument(undefined, 'input')).toEqual({});
    expect(parseJsonObjectArgument('', 'input')).toEqual({});
  });

  it.each([
    ['[1, 2]', 'an array'],
    ['null', 'null'],
    ['"NY"', 'a string'],
    ['42', 'a number'],
    ['true', 'a boolean'],
  ])('rejects the JSON %s, saying it got %s', (text, described) => {
    const error = thrownBy(() => parseJsonObjectArgument(text, 'input'));

    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_input');
    expect(error.message).toBe(`input must be a JSON object, got ${described}`);
  });

  it('rejects an array value like an array in JSON', () => {
    expect(thrownBy(() => parseJsonObjectArgument([1], 'params')).message).toBe(
      'params must be a JSON object, got an array',
    );
  });

  it('passes on the JSON error of a string that is not JSON', () => {
    expect(thrownBy(() => parseJsonObjectArgument('{', 'params')).message).toMatch(
      /^params is not valid JSON: .*\(line 1, column 2\)$/,
    );
  });
});
