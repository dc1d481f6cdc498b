/**
 * Example backend: a stdio MCP server giving access to one directory tree (`--sandbox`), with
 * `read_file`, `write_file`, `list_directory`, `search_files` and `get_file_info`. Every path is
 * resolved to its real location and refused when that lies outside the sandbox.
 */
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  entryType,
  entryTypeSchema,
  fileInfo,
  fileInfoShape,
  formatFileInfo,
} from './filesystem/file-info.js';
import { guardFsTool } from './filesystem/fs-errors.js';
import { Sandbox } from './filesystem/sandbox.js';
import { searchFiles } from './filesystem/search-files.js';
import { exitWithUsageError, parseCli } from './shared/parse-cli.js';
import { runStdioServer } from './shared/run-stdio-server.js';
import { errorResult, textResult } from './shared/tool-result.js';

const NAME = 'filesystem';
const USAGE = `Usage: node filesystem.js --sandbox <dir>

  --sandbox <dir>   Directory the server may read and write (required, must exist)
  --help            Show this help`;

/** Larger files are refused by read_file: the content travels inside one JSON-RPC message. */
const MAX_READ_BYTES = 1024 * 1024;
const SEARCH_LIMITS = { maxResults: 200, maxVisited: 20_000 };

const args = parseCli(NAME, USAGE, { sandbox: { type: 'string' } });
if (args.sandbox === undefined) exitWithUsageError(NAME, USAGE, '--sandbox <dir> is required');

let sandbox: Sandbox;
try {
  sandbox = await Sandbox.open(args.sandbox);
} catch (error) {
  console.error(
    `${NAME}: cannot use sandbox ${args.sandbox}: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

const server = new McpServer({ name: 'example-filesystem', version: '0.1.0' });

const pathParameter = (what: string) =>
  z
    .string()
    .min(1, 'path must not be empty')
    .describe(`${what}, relative to the sandbox root (an absolute path is accepted only inside the sandbox)`);

server.registerTool(
  'read_file',
  {
    title: 'Read file',
    description: `Reads a UTF-8 text file inside the sandbox (at most ${MAX_READ_BYTES} bytes).`,
    inputSchema: { path: pathParameter('File to read') },
    annotations: { readOnlyHint: true },
  },
  ({ path: requested }) =>
    guardFsTool(requested, async () => {
      const real = await sandbox.resolve(requested);
      const stats = await stat(real);
      if (stats.isDirectory()) return errorResult(`${requested} is a directory; use list_directory`);
      if (stats.size > MAX_READ_BYTES) {
        return errorResult(`${requested} is ${stats.size} bytes; read_file reads at most ${MAX_READ_BYTES}`);
      }
      return textResult(await readFile(real, 'utf8'));
    }),
);

server.registerTool(
  'write_file',
  {
    title: 'Write file',
    description:
      'Creates or overwrites a UTF-8 text file inside the sandbox, creating missing parent folders.',
    inputSchema: {
      path: pathParameter('File to write'),
      content: z.string().describe('Complete new content of the file (UTF-8 text)'),
    },
    annotations: { readOnlyHint: false, destructiveHint: true },
  },
  ({ path: requested, content }) =>
    guardFsTool(requested, async () => {
      const real = await sandbox.resolve(requested);
      if (real === sandbox.root || (await stat(real).catch(() => undefined))?.isDirectory()) {
        return errorResult(`${requested} is a directory; give a file path`);
      }
      await mkdir(path.dirname(real), { recursive: true });
      await writeFile(real, content, 'utf8');
      return textResult(`Wrote ${Buffer.byteLength(content)} bytes to ${sandbox.display(real)}`);
    }),
);

server.registerTool(
  'list_directory',
  {
    title: 'List directory',
    description:
      'Lists a directory inside the sandbox: folders first, each entry marked [DIR], [FILE] or [LINK].',
    inputSchema: { path: pathParameter('Directory to list; "." is the sandbox root') },
    outputSchema: {
      path: z.string().describe('Listed directory, relative to the sandbox root'),
      entries: z
        .array(
          z.object({ name: z.string().describe('Entry name'), type: entryTypeSchema.describe('Entry type') }),
        )
        .describe('Directory entries, folders first, then by name'),
    },
    annotations: { readOnlyHint: true },
  },
  ({ path: requested }) =>
    guardFsTool(requested, async () => {
      const real = await sandbox.resolve(requested);
      if (!(await stat(real)).isDirectory()) return errorResult(`${requested} is not a directory`);
      const order = { directory: 0, file: 1, symlink: 2, other: 3 };
      const entries = (await readdir(real, { withFileTypes: true }))
        .map((entry) => ({ name: entry.name, type: entryType(entry) }))
        .sort((a, b) => order[a.type] - order[b.type] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const marker = { directory: '[DIR]', file: '[FILE]', symlink: '[LINK]', other: '[OTHER]' };
      const text = entries.map((entry) => `${marker[entry.type]} ${entry.name}`).join('\n');
      return textResult(text || '(empty directory)', { path: sandbox.display(real), entries });
    }),
);

server.registerTool(
  'search_files',
  {
    title: 'Search files',
    description:
      'Recursively finds files and folders whose NAME matches a pattern, case-insensitively: a plain pattern ' +
      `matches names containing it, "*" and "?" make it a glob ("*.md"). Symlinks are not followed. At most ${SEARCH_LIMITS.maxResults} results.`,
    inputSchema: {
      path: pathParameter('Directory to search from; "." is the sandbox root'),
      pattern: z
        .string()
        .min(1, 'pattern must not be empty')
        .describe('Name substring, or a glob with * and ?'),
    },
    outputSchema: {
      matches: z.array(z.string()).describe('Matching paths, relative to the sandbox root'),
      truncated: z.boolean().describe('Whether the search stopped at a limit before finishing'),
    },
    annotations: { readOnlyHint: true },
  },
  ({ path: requested, pattern }) =>
    guardFsTool(requested, async () => {
      const real = await sandbox.resolve(requested);
      if (!(await stat(real)).isDirectory()) return errorResult(`${requested} is not a directory`);
      const outcome = await searchFiles(real, pattern, SEARCH_LIMITS);
      const matches = outcome.matches.map((match) => sandbox.display(match));
      const text =
        matches.length === 0
          ? `No matches for "${pattern}"`
          : matches.join('\n') + (outcome.truncated ? '\n(search stopped at its limit: more may exist)' : '');
      return textResult(text, { matches, truncated: outcome.truncated });
    }),
);

server.registerTool(
  'get_file_info',
  {
    title: 'File information',
    description: 'Shows size, type, creation/modification/access times and permissions of a file or folder.',
    inputSchema: { path: pathParameter('File or folder to inspect') },
    outputSchema: fileInfoShape,
    annotations: { readOnlyHint: true },
  },
  ({ path: requested }) =>
    guardFsTool(requested, async () => {
      const real = await sandbox.resolve(requested);
      const info = fileInfo(sandbox.display(real), await stat(real));
      return textResult(formatFileInfo(info), info);
    }),
);

await runStdioServer(server, { name: NAME, detail: `sandbox: ${sandbox.root}` });
