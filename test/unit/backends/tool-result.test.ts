import { describe, expect, it } from 'vitest';

import { toCallToolResult } from '../../../src/backends/exchange/tool-result.js';

describe('toCallToolResult', () => {
  it('returns a valid result as the same object, unknown fields and _meta kept', () => {
    const result = {
      content: [
        { type: 'text', text: 'hi' },
        { type: 'future-kind', anything: 1 },
      ],
      structuredContent: { a: 1 },
      isError: false,
      _meta: { trace: 'x' },
      vendor: true,
    };
    expect(toCallToolResult(result)).toBe(result);
  });

  it('reads a missing content as an empty list, keeping the rest', () => {
    expect(toCallToolResult({ structuredContent: { a: 1 } })).toEqual({
      structuredContent: { a: 1 },
      content: [],
    });
  });

  it.each([
    [{ content: 'text' }, '"content" is not an array'],
    [{ content: [null] }, 'a "content" block has no "type"'],
    [{ content: [{ text: 'x' }] }, 'a "content" block has no "type"'],
    [{ content: [{ type: 3 }] }, 'a "content" block has no "type"'],
    [{ content: [], structuredContent: 'x' }, '"structuredContent" is not an object'],
    [{ content: [], structuredContent: null }, '"structuredContent" is not an object'],
    [{ content: [], isError: 'yes' }, '"isError" is not a boolean'],
  ])('rejects %j: %s', (result, why) => {
    expect(() => toCallToolResult(result as Record<string, unknown>)).toThrow(
      `the backend returned a malformed tool result: ${why}`,
    );
  });
});
