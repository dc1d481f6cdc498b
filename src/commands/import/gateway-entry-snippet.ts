/**
 * The one entry a client needs once its servers are behind the gateway, in the client's own format.
 */
import { INHERITED_ENV_KEYS } from '../../backends/backend-spec.js';
import { GATEWAY_PACKAGE_NAME } from '../../shared/gateway-launch.js';
import { CLIENT_FORMATS, type ClientId } from './client-formats.js';

/** The name of the gateway's entry in the client. */
export const GATEWAY_ENTRY_NAME = 'gateway';

/** Where the gateway runs from. */
export interface GatewayInstall {
  /** The Node executable running this command (`process.execPath`). */
  readonly execPath: string;
  /** This package's `dist/cli.js`. */
  readonly cliPath: string;
}

/** A client entry: what goes under `mcpServers.gateway` (or `servers.gateway`). */
export interface ClientEntryValue {
  readonly type?: 'stdio';
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The entry that starts the gateway on `configFile`. The command is this Node by absolute path and the script
 * this package's `dist/cli.js`, because clients started from a desktop often lack the user's PATH. A copy in the
 * npx cache would vanish when the cache is cleaned, so from there the entry runs `npx -y` instead.
 *
 * `envNames` are the variables the gateway config expands: the entry hands each on from the client's own
 * environment, in the client's syntax, so that they reach the gateway even from a client that starts servers
 * with a minimal environment (which always has `PATH`, `HOME` and the like: those are not repeated).
 */
export function gatewayClientEntry(
  client: ClientId,
  install: GatewayInstall,
  configFile: string,
  envNames: readonly string[],
): ClientEntryValue {
  const fromNpxCache = install.cliPath.replaceAll('\\', '/').includes('/_npx/');
  const launch = fromNpxCache
    ? { command: 'npx', args: ['-y', GATEWAY_PACKAGE_NAME, '--auto-register', configFile] }
    : { command: install.execPath, args: [install.cliPath, '--auto-register', configFile] };
  const format = CLIENT_FORMATS[client];
  // Clients hand every server these few anyway.
  const passed = envNames.filter((name) => !(INHERITED_ENV_KEYS as readonly string[]).includes(name));
  const env = Object.fromEntries(passed.map((name) => [name, passOn(name, client)]));
  return {
    ...(format.writesStdioType ? { type: 'stdio' as const } : {}),
    ...launch,
    ...(passed.length > 0 ? { env } : {}),
  };
}

/** The entry wrapped the way the client's file holds it, as pretty-printed JSON ending with a newline. */
export function formatClientSnippet(client: ClientId, entry: ClientEntryValue): string {
  const key = CLIENT_FORMATS[client].serversKey;
  return `${JSON.stringify({ [key]: { [GATEWAY_ENTRY_NAME]: entry } }, null, 2)}\n`;
}

/**
 * A reference to the client's variable `name`. Claude Code refuses a config naming an unset variable without a
 * default, so it gets an empty default, which the gateway's own `${NAME:-default}` treats as unset.
 */
function passOn(name: string, client: ClientId): string {
  return CLIENT_FORMATS[client].variables === 'shell' ? `\${${name}:-}` : `\${env:${name}}`;
}
