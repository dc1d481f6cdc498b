/**
 * How a page's shown output is compared with what the example really produced.
 *
 * Text (`output`, `result`, `error-result`): line by line, trailing spaces and blank lines at the end ignored.
 * `...` inside a line matches any text on that line; a line that is only `...` matches any number of lines
 * (none included). Everything else must be equal.
 *
 * JSON (`structured`): the string `"..."` matches any value; a string holding `...` matches as text does; an object
 * with the key `"..."` may have keys beyond those shown; an array whose last item is `"..."` may have more items.
 *
 * Before comparing, what differs from machine to machine in what was produced is replaced by what the docs show:
 * see {@link Normaliser}.
 */
import { isDeepStrictEqual } from 'node:util';

/** Replaces machine-specific text in produced output by the placeholders the docs use. */
export type Normaliser = (text: string) => string;

/**
 * A normaliser replacing each `[from, to]` pair, longest `from` first (so that a folder inside another is replaced
 * by its own placeholder).
 */
export function replacing(pairs: readonly (readonly [string, string])[]): Normaliser {
  const sorted = [...pairs].filter(([from]) => from !== '').sort((a, b) => b[0].length - a[0].length);
  return (text) => sorted.reduce((result, [from, to]) => result.replaceAll(from, to), text);
}

/** Why `actual` does not match the `expected` text, or undefined when it does. */
export function mismatchText(expected: string, actual: string): string | undefined {
  const want = toLines(expected);
  const got = toLines(actual);
  if (matchLines(want, 0, got, 0)) return undefined;
  return `expected (... is a wildcard):\n${want.join('\n')}\n\nactual:\n${got.join('\n')}`;
}

/** Whether one line matches a pattern line (`...` as a wildcard within it). */
export function matchLine(pattern: string, line: string): boolean {
  if (!pattern.includes('...')) return pattern === line;
  const regex = pattern
    .split('...')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?');
  return new RegExp(`^${regex}$`, 's').test(line);
}

function toLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

function matchLines(want: readonly string[], w: number, got: readonly string[], g: number): boolean {
  if (w === want.length) return g === got.length;
  const pattern = want[w] ?? '';
  if (pattern.trim() === '...') {
    for (let skip = g; skip <= got.length; skip += 1) {
      if (matchLines(want, w + 1, got, skip)) return true;
    }
    return false;
  }
  return g < got.length && matchLine(pattern, got[g] ?? '') && matchLines(want, w + 1, got, g + 1);
}

/** Why `actual` does not match the `expected` JSON, or undefined when it does; `at` names the place. */
export function mismatchJson(expected: unknown, actual: unknown, at = '$'): string | undefined {
  if (expected === '...') return undefined;
  if (typeof expected === 'string' && expected.includes('...') && typeof actual === 'string') {
    return matchLine(expected, actual) ? undefined : `${at}: ${JSON.stringify(actual)} does not match`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, got ${JSON.stringify(actual)}`;
    const open = expected.at(-1) === '...';
    const items = open ? expected.slice(0, -1) : expected;
    if (open ? actual.length < items.length : actual.length !== items.length) {
      return `${at}: expected ${items.length}${open ? ' or more' : ''} items, got ${actual.length}`;
    }
    for (const [index, item] of items.entries()) {
      const problem = mismatchJson(item, actual[index], `${at}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return `${at}: expected an object, got ${JSON.stringify(actual)}`;
    const open = '...' in expected;
    const keys = Object.keys(expected).filter((key) => key !== '...');
    const extra = Object.keys(actual).filter((key) => !keys.includes(key));
    if (!open && extra.length > 0) return `${at}: keys not shown: ${extra.join(', ')}`;
    for (const key of keys) {
      if (!(key in actual)) return `${at}: no key "${key}"`;
      const problem = mismatchJson(expected[key], actual[key], `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return isDeepStrictEqual(expected, actual)
    ? undefined
    : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
