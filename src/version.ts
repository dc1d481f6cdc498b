import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (one folder above both `src/` and `dist/`). */
export const GATEWAY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The name the gateway gives itself as an MCP server and as a client of its backends. */
export const GATEWAY_NAME = 'mcp-gateway';
