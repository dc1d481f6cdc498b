/**
 * The MCP clients `mcp-gateway import` knows, and what differs between their config formats: the key that holds
 * the servers, whether the file may hold comments, which `${...}` variables they expand, and which client-only
 * fields an entry may carry.
 */

/** The clients, as named on the command line. */
export const CLIENT_IDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf'] as const;

/** One of {@link CLIENT_IDS}. */
export type ClientId = (typeof CLIENT_IDS)[number];

/**
 * How a client expands `${...}` in its config:
 * - `none`: it does not (Claude Desktop): a `${...}` reaches the server as it is written;
 * - `shell`: `${NAME}` and `${NAME:-default}` from its environment (Claude Code), the gateway's own syntax;
 * - `editor`: `${env:NAME}`, `${userHome}`, `${workspaceFolder}`, `${workspaceFolderBasename}`,
 *   `${pathSeparator}` and `${/}` (Cursor, VS Code; VS Code also has `${input:ID}`, which prompts the user);
 * - `windsurf`: `${env:NAME}` only.
 */
export type VariableDialect = 'none' | 'shell' | 'editor' | 'windsurf';

/** What differs between the clients' formats. */
export interface ClientFormat {
  /** The client's name in messages. */
  readonly title: string;
  /** The key of the servers object in the client's main file, where the printed entry goes. */
  readonly serversKey: 'mcpServers' | 'servers';
  /** Whether the client's entries say `"type": "stdio"` for a local server (VS Code requires it). */
  readonly writesStdioType: boolean;
  /** Whether the client's files may hold comments and trailing commas (the editors read JSONC). */
  readonly jsonc: boolean;
  readonly variables: VariableDialect;
  /**
   * Client-only fields that change nothing about how the server is started, each with why it is left out; the
   * import notes them and goes on.
   */
  readonly ignoredFields: Readonly<Record<string, string>>;
  /** Fields the gateway cannot honour, each with what to do instead; an entry with one is not imported. */
  readonly unsupportedFields: Readonly<Record<string, string>>;
}

/** Approval lists some clients keep per server: the gateway asks nothing, the client that calls it still does. */
const APPROVAL_FIELDS: Readonly<Record<string, string>> = {
  autoApprove: "the client's list of tools it runs without asking",
  alwaysAllow: "the client's list of tools it runs without asking",
};

const ENV_FILE_HINT =
  'the gateway reads no env file: copy the variables into "env" in the client (or into the environment the ' +
  'gateway runs in) and import again';

/** Every client's format. */
export const CLIENT_FORMATS: Readonly<Record<ClientId, ClientFormat>> = {
  'claude-desktop': {
    title: 'Claude Desktop',
    serversKey: 'mcpServers',
    writesStdioType: false,
    jsonc: false,
    variables: 'none',
    ignoredFields: APPROVAL_FIELDS,
    unsupportedFields: {},
  },
  'claude-code': {
    title: 'Claude Code',
    serversKey: 'mcpServers',
    writesStdioType: true,
    jsonc: false,
    variables: 'shell',
    ignoredFields: APPROVAL_FIELDS,
    unsupportedFields: {
      headersHelper:
        'the gateway runs no command to compute headers: put the headers in "headers" and import again',
      oauth: 'the gateway does not sign in to remote servers with OAuth: give a token in "headers" instead',
    },
  },
  cursor: {
    title: 'Cursor',
    serversKey: 'mcpServers',
    writesStdioType: false,
    jsonc: true,
    variables: 'editor',
    ignoredFields: APPROVAL_FIELDS,
    unsupportedFields: {
      envFile: ENV_FILE_HINT,
      auth: 'the gateway does not sign in to remote servers with OAuth: give a token in "headers" instead',
    },
  },
  vscode: {
    title: 'VS Code',
    serversKey: 'servers',
    writesStdioType: true,
    jsonc: true,
    variables: 'editor',
    ignoredFields: {
      ...APPROVAL_FIELDS,
      dev: "VS Code's development mode (watch and debug), which only VS Code itself can run",
    },
    unsupportedFields: { envFile: ENV_FILE_HINT },
  },
  windsurf: {
    title: 'Windsurf',
    serversKey: 'mcpServers',
    writesStdioType: false,
    jsonc: true,
    variables: 'windsurf',
    ignoredFields: APPROVAL_FIELDS,
    unsupportedFields: {},
  },
};

/** Whether `name` is one of {@link CLIENT_IDS}. */
export function isClientId(name: string): name is ClientId {
  return (CLIENT_IDS as readonly string[]).includes(name);
}
