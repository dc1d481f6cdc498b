/**
 * Reads a client's config file: JSON, or JSONC (comments, trailing commas) for the editors. A syntax error is
 * reported with its line and column, as an editor would show it.
 */
import { readFile } from 'node:fs/promises';

import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

import type { JsonPath } from './client-locations.js';
import { GatewayError } from '../../errors/gateway-error.js';

/** A client file, read and parsed. */
export interface ClientFile {
  /** Absolute path. */
  readonly file: string;
  /** The text as read (without a byte order mark). */
  readonly text: string;
  readonly json: Readonly<Record<string, unknown>>;
}

/** A plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads and parses `file`; undefined when it does not exist.
 *
 * @throws GatewayError when it cannot be read, is not valid JSON (JSONC when `jsonc`), or is not an object.
 */
export async function readClientFile(file: string, jsonc: boolean): Promise<ClientFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new GatewayError(
      'invalid_config',
      `${file}: cannot read the file (${code ?? String(error)}); check its permissions, or name another file with --from`,
      { cause: error },
    );
  }
  return { file, text: stripBom(text), json: parseClientJson(stripBom(text), file, jsonc) };
}

/**
 * Parses a client file's text. An empty file counts as an empty object: editors create the file empty.
 *
 * @throws GatewayError naming `file`, the line and column of the first syntax error, and what was expected there.
 */
export function parseClientJson(text: string, file: string, jsonc: boolean): Record<string, unknown> {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, {
    disallowComments: !jsonc,
    allowTrailingComma: jsonc,
    allowEmptyContent: true,
  });
  const [first] = errors;
  if (first !== undefined) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw new GatewayError(
      'invalid_config',
      `${file}:${line}:${column}: not valid ${jsonc ? 'JSON with comments' : 'JSON'}: ${describeParseError(first)}; ` +
        'fix the file (the client cannot read it either), or name another file with --from',
    );
  }
  if (tree === undefined) return {};
  const json = toValue(tree);
  if (!isPlainObject(json)) {
    throw new GatewayError(
      'invalid_config',
      `${file}: expected a JSON object ({...}) at the top of the file, found ${describeType(json)}`,
    );
  }
  return json;
}

/** The value at `path` in `json`, or undefined when a key along the way is missing or not an object. */
export function valueAt(json: unknown, path: JsonPath): unknown {
  let value = json;
  for (const key of path) {
    if (!isPlainObject(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** `an array`, `a string`, `null`...: what a JSON value is, for messages that must not show the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isPlainObject(value)) return 'an object';
  return `a ${typeof value}`;
}

/**
 * The value of a parsed node. Keys become own properties even when named `__proto__` (which an assignment would
 * take for the object's prototype, losing the entry without a word).
 */
function toValue(node: Node): unknown {
  if (node.type === 'array') return (node.children ?? []).map(toValue);
  if (node.type !== 'object') return node.value as unknown;
  const object: Record<string, unknown> = {};
  for (const [key, value] of (node.children ?? []).map((property) => property.children ?? [])) {
    if (key === undefined || value === undefined) continue;
    Object.defineProperty(object, String(key.value), {
      value: toValue(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

/** 1-based line and column of `offset`, columns counted in characters. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

const PARSE_ERRORS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'a number is malformed',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected "," between two items',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'expected the end of the file',
  InvalidCommentToken: 'comments are not allowed in this file',
  UnexpectedEndOfComment: 'a comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

function describeParseError(error: ParseError): string {
  const code = printParseErrorCode(error.error);
  return PARSE_ERRORS[code] ?? code;
}

function stripBom(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}
