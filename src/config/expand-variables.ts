/**
 * `${VAR}` and `${VAR:-default}` in a config file, expanded from the gateway's environment when the file is loaded.
 * Only the fields that name what a backend runs and how it is reached are expanded (`command`, `args`, `env` values,
 * `cwd`, `url`, `headers` values, the strings of its `oauth` section), and the strings of the `auth` section; values a client gives `register_server` never pass through here, so a client
 * cannot read the gateway's environment.
 *
 * Syntax: `${NAME}` is the variable's value (it must be set, possibly to ""); `${NAME:-default}` is its value, or
 * the default text (taken literally, up to the first "}") when it is unset or empty; `$${` is a literal `${`.
 * A `$` not followed by `{` is an ordinary character.
 */
import { splitArgs } from '../shared/split-args.js';
import { formatJsonPath, isJsonObject, type ConfigProblem } from './config-problem.js';

/** The environment variables are read from: `process.env`, or a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Where variables come from, and which ones may never be read. */
export interface ExpansionOptions {
  readonly env: Environment;
  /** Names a config may not reference: the gateway's own secrets. */
  readonly reserved?: readonly string[];
}

/** An expanded string, and what went wrong (one message per unset, reserved or malformed reference). */
export interface ExpandedString {
  readonly value: string;
  readonly problems: readonly string[];
}

/** The sections whose entries are servers: `mcpServers` is the `claude_desktop_config.json` spelling. */
export const SERVER_SECTIONS = ['servers', 'mcpServers'] as const;

const SCALAR_FIELDS = ['command', 'cwd', 'url'] as const;
const RECORD_FIELDS = ['env', 'headers'] as const;

// Sticky: matched exactly where a "${" was found, so that a malformed reference is not skipped over.
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/y;

/** Expands every reference in `text`. An unset variable is reported once however often it appears. */
export function expandVariables(text: string, options: ExpansionOptions): ExpandedString {
  const problems = new Set<string>();
  let value = '';
  let index = 0;
  while (index < text.length) {
    if (text.startsWith('$${', index)) {
      value += '${';
      index += 3;
      continue;
    }
    if (!text.startsWith('${', index)) {
      value += text.charAt(index);
      index += 1;
      continue;
    }
    REFERENCE.lastIndex = index;
    const match = REFERENCE.exec(text);
    const name = match?.[1];
    if (match === null || name === undefined) {
      problems.add(
        '"${" starts no variable reference; write ${NAME} or ${NAME:-default} (NAME: letters, digits and "_", ' +
          'not starting with a digit), or $${ for a literal "${"',
      );
      value += '${';
      index += 2;
      continue;
    }
    const fallback = match[2];
    const found = options.env[name];
    if (options.reserved?.includes(name)) {
      problems.add(
        `\${${name}} is the gateway's own secret, never handed to a backend; remove this reference`,
      );
    } else if (fallback !== undefined && (found === undefined || found === '')) {
      value += fallback;
    } else if (found === undefined) {
      problems.add(`\${${name}} is not set; set it, or write \${${name}:-default}`);
    } else {
      value += found;
    }
    index += match[0].length;
  }
  return { value, problems: [...problems] };
}

/** A config with its server fields expanded, and every reference that could not be. */
export interface ExpandedConfig {
  /** The parsed file with expanded values in place (unexpandable ones left as written); not yet validated. */
  readonly json: unknown;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Expands the variables of every server of a parsed (not yet validated) config. Values of an unexpected type are
 * left for the schema to refuse. Nothing is modified in place.
 */
export function expandServerVariables(json: unknown, options: ExpansionOptions): ExpandedConfig {
  if (!isJsonObject(json)) return { json, problems: [] };
  const problems: ConfigProblem[] = [];
  const result: Record<string, unknown> = { ...json };
  for (const section of SERVER_SECTIONS) {
    const servers = json[section];
    if (!isJsonObject(servers)) continue;
    result[section] = Object.fromEntries(
      Object.entries(servers).map(([name, server]) => [
        name,
        isJsonObject(server) ? expandServer(server, [section, name], options, problems) : server,
      ]),
    );
  }
  return { json: result, problems };
}

/**
 * Expands the variables of every string of the `auth` section (an introspection client's secret is written
 * `${VAR}`, so that it stays out of the file), as {@link expandServerVariables} does for servers.
 */
export function expandAuthVariables(expanded: ExpandedConfig, options: ExpansionOptions): ExpandedConfig {
  const { json } = expanded;
  if (!isJsonObject(json) || !isJsonObject(json.auth)) return expanded;
  const problems = [...expanded.problems];
  const expand = (text: string, path: readonly string[]): string => {
    const result = expandVariables(text, options);
    for (const message of result.problems)
      problems.push({ severity: 'error', path: formatJsonPath(path), message });
    return result.value;
  };
  return { json: { ...json, auth: expandStrings(json.auth, ['auth'], expand) }, problems };
}

/** `value` with every string in it (at any depth) expanded by `expand`. */
function expandStrings(
  value: unknown,
  path: readonly string[],
  expand: (text: string, path: readonly string[]) => string,
): unknown {
  if (typeof value === 'string') return expand(value, path);
  if (Array.isArray(value))
    return value.map((item: unknown, index) => expandStrings(item, [...path, String(index)], expand));
  if (isJsonObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, expandStrings(item, [...path, key], expand)]),
    );
  }
  return value;
}

function expandServer(
  server: Record<string, unknown>,
  at: readonly string[],
  options: ExpansionOptions,
  problems: ConfigProblem[],
): Record<string, unknown> {
  const expand = (text: string, path: readonly string[]): string => {
    const expanded = expandVariables(text, options);
    for (const message of expanded.problems) {
      problems.push({ severity: 'error', path: formatJsonPath(path), message });
    }
    return expanded.value;
  };
  const result: Record<string, unknown> = { ...server };
  for (const field of SCALAR_FIELDS) {
    const value = server[field];
    if (typeof value === 'string') result[field] = expand(value, [...at, field]);
  }
  for (const field of RECORD_FIELDS) {
    const record = server[field];
    if (!isJsonObject(record)) continue;
    result[field] = Object.fromEntries(
      Object.entries(record).map(([key, value]) => [
        key,
        typeof value === 'string' ? expand(value, [...at, field, key]) : value,
      ]),
    );
  }
  // A remote backend's OAuth client secret, private key, ID token or workload token is written `${VAR}`.
  if (isJsonObject(server.oauth)) result.oauth = expandStrings(server.oauth, [...at, 'oauth'], expand);
  const args = server.args;
  if (Array.isArray(args)) {
    result.args = args.map((word: unknown, index) =>
      typeof word === 'string' ? expand(word, [...at, 'args', String(index)]) : word,
    );
  } else if (typeof args === 'string' && args.includes('${')) {
    result.args = expandArgsString(args, [...at, 'args'], expand, problems);
  }
  return result;
}

/**
 * A string `args` is split into words first, then each word expanded: a variable's value is always part of one
 * argument, never split at its spaces nor read for quotes. The result is therefore an array.
 */
function expandArgsString(
  args: string,
  path: readonly string[],
  expand: (text: string, path: readonly string[]) => string,
  problems: ConfigProblem[],
): string | string[] {
  let words: string[];
  try {
    words = splitArgs(args);
  } catch (error) {
    const reason =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : 'bad quoting';
    problems.push({
      severity: 'error',
      path: formatJsonPath(path),
      message: `the argument string cannot be split into words (${reason}); close its quotes, or write args as an array`,
    });
    return args;
  }
  return words.map((word) => expand(word, path));
}
