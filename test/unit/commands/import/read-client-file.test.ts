import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { GatewayError } from '../../../../src/errors/gateway-error.js';
import {
  parseClientJson,
  readClientFile,
  valueAt,
} from '../../../../src/commands/import/read-client-file.js';
import { makeTempDir, removeTempDir } from '../../../helpers/temp-dir.js';

/** The message of the GatewayError that parsing `text` fails with. */
function parseError(text: string, jsonc: boolean): string {
  try {
    parseClientJson(text, '/cfg/mcp.json', jsonc);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return (error as Error).message;
  }
  throw new Error('expected the text to be refused');
}

describe('parseClientJson', () => {
  it('reads JSON with comments and trailing commas when the client allows them', () => {
    const text = '// user servers\n{\n  "servers": { /* one */ "a": { "command": "x", }, },\n}\n';
    expect(parseClientJson(text, '/cfg/mcp.json', true)).toEqual({ servers: { a: { command: 'x' } } });
  });

  it('refuses comments and trailing commas in a plain JSON file, with line and column', () => {
    expect(parseError('{\n  // no\n  "mcpServers": {}\n}', false)).toBe(
      '/cfg/mcp.json:2:3: not valid JSON: comments are not allowed in this file; fix the file (the client ' +
        'cannot read it either), or name another file with --from',
    );
    expect(parseError('{\n  "mcpServers": {},\n}', false)).toMatch(
      /^\/cfg\/mcp\.json:3:1: not valid JSON: expected a property name in double quotes;/,
    );
  });

  it('gives the line and column of the first syntax error', () => {
    expect(parseError('{\n  "servers": {\n    "a": { "command": "x" }\n    "b": {}\n  }\n}', true)).toMatch(
      /^\/cfg\/mcp\.json:4:5: not valid JSON with comments: expected "," between two items;/,
    );
    // An unclosed string is reported where it starts.
    expect(parseError('{"mcpServers": {"a": {"command": "x}}}', false)).toMatch(
      /^\/cfg\/mcp\.json:1:34: not valid JSON: a string is not closed;/,
    );
    expect(parseError('{"mcpServers": ', false)).toMatch(
      /^\/cfg\/mcp\.json:1:16: not valid JSON: expected a value;/,
    );
  });

  it('keeps a key named __proto__ as an entry, as JSON.parse does', () => {
    const json = parseClientJson(
      '{"mcpServers": {"__proto__": {"command": "x"}, "a": {}}}',
      '/cfg/mcp.json',
      false,
    );
    expect(Object.keys(json.mcpServers as object)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(json.mcpServers)).toBe(Object.prototype);
    expect(json).toEqual(JSON.parse('{"mcpServers": {"__proto__": {"command": "x"}, "a": {}}}'));
  });

  it('takes an empty file for an empty object, and refuses a top level that is not an object', () => {
    expect(parseClientJson('', '/cfg/mcp.json', true)).toEqual({});
    expect(parseClientJson('  \n', '/cfg/mcp.json', false)).toEqual({});
    expect(parseError('[{"command": "x"}]', false)).toBe(
      '/cfg/mcp.json: expected a JSON object ({...}) at the top of the file, found an array',
    );
  });
});

describe('readClientFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir('gateway-import-read-');
  });

  afterEach(async () => {
    await removeTempDir(dir);
  });

  it('gives undefined for a missing file', async () => {
    await expect(readClientFile(path.join(dir, 'missing.json'), false)).resolves.toBeUndefined();
  });

  it('drops a byte order mark', async () => {
    const file = path.join(dir, 'bom.json');
    await writeFile(file, '\uFEFF{"mcpServers": {}}');
    await expect(readClientFile(file, false)).resolves.toEqual({
      file,
      text: '{"mcpServers": {}}',
      json: { mcpServers: {} },
    });
  });

  it('says why a file cannot be read', async () => {
    await expect(readClientFile(dir, false)).rejects.toThrow(
      `${dir}: cannot read the file (EISDIR); check its permissions, or name another file with --from`,
    );
  });
});

describe('valueAt', () => {
  it('follows keys, including keys holding dots and slashes', () => {
    const json = { projects: { '/home/alex/work/shop': { mcpServers: { db: {} } } } };
    expect(valueAt(json, ['projects', '/home/alex/work/shop', 'mcpServers'])).toEqual({ db: {} });
    expect(valueAt(json, ['projects', '/elsewhere', 'mcpServers'])).toBeUndefined();
    expect(valueAt({ a: 'text' }, ['a', 'length'])).toBeUndefined();
    expect(valueAt({}, ['toString'])).toBeUndefined();
  });
});
