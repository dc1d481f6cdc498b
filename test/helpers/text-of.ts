/**
 * The text of tool results, as tests read them.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { expect } from 'vitest';

/** The text items of a result, joined with newlines (other items left out). */
export function textOf(result: CallToolResult): string {
  return result.content
    .filter((item) => item.type === 'text')
    .map((item) => item.text)
    .join('\n');
}

/** The text of a result made of exactly one text item; fails the test otherwise. */
export function onlyText(result: CallToolResult): string {
  expect(result.content).toHaveLength(1);
  const [item] = result.content;
  if (item?.type !== 'text') throw new Error(`expected one text item, got ${JSON.stringify(result.content)}`);
  return item.text;
}
