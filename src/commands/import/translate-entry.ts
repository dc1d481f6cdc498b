/**
 * Turns one client entry into a gateway server entry, or says why it cannot be: the gateway's own entry, a name
 * the gateway refuses, a field or variable it cannot honour, a value of the wrong type. Nothing is dropped
 * silently: what is left out of an imported entry becomes a note.
 */
import { SERVER_NAME_PATTERN, ServerConfigSchema, type ServerConfig } from '../../backends/server-config.js';
import { formatIssues } from '../../config/format-issues.js';
import { detectGatewayLaunch, type LaunchCommand } from '../../shared/gateway-launch.js';
import { CLIENT_FORMATS, type ClientId } from './client-formats.js';
import { pathApi } from './client-locations.js';
import type { ClientEntry } from './collect-entries.js';
import { describeType, isPlainObject } from './read-client-file.js';
import { translateVariables, type VariableContext } from './translate-variables.js';

/** What the translation depends on besides the entry. */
export interface TranslateContext {
  readonly client: ClientId;
  readonly platform: NodeJS.Platform;
  readonly home: string;
  /** The folder the import runs in: where an entry with no better folder is taken to run. */
  readonly cwd: string;
  /** This package's `dist/cli.js`, to recognize an entry that runs it. */
  readonly cliPath: string;
  /** The names of all the client's entries: a proposed name must not be one of them. */
  readonly takenNames: ReadonlySet<string>;
}

/** An entry that made it into the gateway's config. */
export interface ImportedEntry {
  readonly kind: 'imported';
  readonly entry: ClientEntry;
  readonly config: ServerConfig;
  /** What was changed or left out on the way, one sentence each. */
  readonly notes: readonly string[];
  /** Environment variables the gateway expands in this entry. */
  readonly envNames: readonly string[];
}

/** An entry left in the client, with why. */
export interface SkippedEntry {
  readonly kind: 'skipped';
  readonly entry: ClientEntry;
  readonly reasons: readonly string[];
  /** A name the gateway would accept, when the client's name is the problem. */
  readonly proposedName?: string;
  /** Set when the entry launches this gateway. */
  readonly launchesGateway?: { readonly autoRegister: string | undefined };
}

/** The outcome of {@link translateEntry}. */
export type EntryOutcome = ImportedEntry | SkippedEntry;

/** Fields every client's entries may have, translated one by one. */
const COMMON_FIELDS = new Set('type command args env cwd url headers disabled description'.split(' '));
/** Windsurf's own: `serverUrl` for `url`, `disabledTools` for tools turned off. */
const WINDSURF_FIELDS = new Set(['serverUrl', 'disabledTools']);
/** Client transport names and the gateway's; `streamableHttp` is what some clients write for `http`. */
const TYPES: Readonly<Record<string, ServerConfig['type']>> = {
  stdio: 'stdio',
  http: 'http',
  'streamable-http': 'streamable-http',
  streamableHttp: 'http',
  sse: 'sse',
};
const NAME_RULE = '1 to 32 letters, digits, "_" or "-"';

/**
 * A name the gateway accepts, made from `name`: runs of other characters become "-", and the result is cut to 32
 * characters; `-2`, `-3`... are added when it is one of `taken`. Undefined when nothing usable is left.
 */
export function sanitizeServerName(name: string, taken: ReadonlySet<string> = new Set()): string | undefined {
  const cut = (text: string, length: number): string => text.slice(0, length).replace(/-+$/, '');
  const cleaned = cut(name.replaceAll(/[^A-Za-z0-9_-]+/g, '-').replaceAll(/^-+|-+$/g, ''), 32);
  if (!SERVER_NAME_PATTERN.test(cleaned)) return undefined;
  for (let suffix = 1; suffix < 100; suffix += 1) {
    const candidate = suffix === 1 ? cleaned : `${cut(cleaned, 32 - `-${suffix}`.length)}-${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
  return undefined;
}

/** Translates one entry (see the file comment). */
export function translateEntry(entry: ClientEntry, context: TranslateContext): EntryOutcome {
  const { value } = entry;
  if (!isPlainObject(value)) {
    const found = describeType(value);
    return skipped(entry, [`not a server object: expected {"command": ...} or {"url": ...}, found ${found}`]);
  }
  const paths = pathApi(context.platform);
  const workspace = entry.source.workspaceFolder;
  const own = launchOf(value, workspace ?? context.cwd, paths);
  const detected = own === undefined ? undefined : detectGatewayLaunch(own, context.cliPath);
  if (detected?.launchesGateway === true) {
    const file = detected.autoRegister;
    const reason = `launches mcp-gateway itself${file === undefined ? '' : ` (with --auto-register ${file})`}`;
    return skipped(entry, [reason], { launchesGateway: { autoRegister: file } });
  }

  const format = CLIENT_FORMATS[context.client];
  const reader = new EntryReader({
    dialect: format.variables,
    clientTitle: format.title,
    home: context.home,
    workspaceFolder: workspace,
    workspaceFolderBasename: workspace === undefined ? undefined : paths.basename(workspace),
    pathSeparator: paths.sep,
  });
  const proposedName = checkName(entry.name, context.takenNames, reader);
  checkFields(value, context.client, reader);
  const config = readServer(value, context.client, reader);

  // The client started a project's servers in the project folder, and resolved relative paths against it; the
  // gateway would start them in the folder of its own config, so the folder is written out.
  if (config.cwd !== undefined && isRelative(config.cwd, paths)) {
    if (workspace === undefined) reader.problem(`cwd is a relative path ${UNKNOWN_FOLDER}`);
    else config.cwd = paths.resolve(workspace, config.cwd);
  }
  if (config.cwd === undefined && config.command !== undefined && workspace !== undefined) {
    config.cwd = workspace;
    reader.note(`runs in ${workspace}, the project folder ${format.title} ran it in`);
  }
  if (config.command !== undefined && isRelative(config.command, paths) && /[\\/]/.test(config.command)) {
    if (config.cwd === undefined) reader.problem(`command is a relative path ${UNKNOWN_FOLDER}`);
    else config.command = paths.resolve(config.cwd, config.command);
  }
  if (entry.disabledByClient) {
    config.disabled = true;
    reader.note(`disabled, as ${format.title} has it turned off for this project`);
  }

  if (reader.problems.length === 0) {
    const checked = ServerConfigSchema.safeParse(config);
    if (checked.success) {
      const { notes, envNames } = reader;
      return { kind: 'imported', entry, config: checked.data, notes, envNames: [...envNames] };
    }
    for (const line of formatIssues(checked.error.issues).split('\n')) reader.problem(line.trim());
  }
  return skipped(entry, reader.problems, proposedName === undefined ? {} : { proposedName });
}

const UNKNOWN_FOLDER =
  'and the folder it is relative to is unknown; write an absolute path in the client and import again';

/** Collects an entry's problems, notes and environment variables while its fields are read. */
class EntryReader {
  readonly problems: string[] = [];
  readonly notes: string[] = [];
  readonly envNames = new Set<string>();

  constructor(private readonly variables: VariableContext) {}

  problem(text: string): void {
    this.problems.push(text);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** A string field with its variables translated; undefined when absent or wrong (a problem is recorded). */
  text(raw: unknown, where: string): string | undefined {
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string') {
      this.problem(`${where} must be a string, found ${describeType(raw)}`);
      return undefined;
    }
    const translated = translateVariables(raw, where, this.variables);
    if (!translated.ok) {
      this.problems.push(...translated.problems);
      return undefined;
    }
    for (const name of translated.envNames) this.envNames.add(name);
    return translated.value;
  }

  /** An object of strings (`env`, `headers`), each translated. */
  textMap(raw: unknown, where: string): Record<string, string> | undefined {
    if (raw === undefined) return undefined;
    if (!isPlainObject(raw)) {
      this.problem(`${where} must be an object of strings, found ${describeType(raw)}`);
      return undefined;
    }
    return Object.fromEntries(
      Object.entries(raw).map(([key, item]) => [key, this.text(item, `${where}.${key}`) ?? '']),
    );
  }
}

/** A proposed name when the client's one is not valid for the gateway (recorded as a problem). */
function checkName(name: string, taken: ReadonlySet<string>, reader: EntryReader): string | undefined {
  if (name === '__proto__') {
    reader.problem(
      'the name __proto__ is not one the gateway can hold: rename it "proto" in the client and import again',
    );
    return 'proto';
  }
  if (SERVER_NAME_PATTERN.test(name)) return undefined;
  const proposed = sanitizeServerName(name, taken);
  reader.problem(
    `the name is not valid for the gateway (${NAME_RULE}): ` +
      (proposed === undefined ? 'rename the server' : `rename it "${proposed}"`) +
      ' in the client and import again',
  );
  return proposed;
}

/** Client-only fields become notes, fields the gateway cannot honour problems. */
function checkFields(value: Record<string, unknown>, client: ClientId, reader: EntryReader): void {
  const format = CLIENT_FORMATS[client];
  for (const field of Object.keys(value)) {
    if (COMMON_FIELDS.has(field) || (client === 'windsurf' && WINDSURF_FIELDS.has(field))) continue;
    const ignored = format.ignoredFields[field];
    const unsupported = format.unsupportedFields[field];
    if (ignored !== undefined) reader.note(`"${field}" left out: ${ignored}`);
    else if (unsupported !== undefined) reader.problem(`"${field}" is not supported: ${unsupported}`);
    else
      reader.problem(`"${field}" is not a field the gateway knows; remove it in the client and import again`);
  }
}

/** The entry's fields in the gateway's terms, not yet checked against its schema. */
function readServer(value: Record<string, unknown>, client: ClientId, reader: EntryReader): WritableServer {
  const config: WritableServer = {};
  if (value.type !== undefined) {
    const mapped = typeof value.type === 'string' ? TYPES[value.type] : undefined;
    if (mapped === undefined)
      reader.problem(`type must be "stdio", "http" or "sse", found ${showType(value.type)}`);
    else config.type = mapped;
  }
  config.command = reader.text(value.command, 'command');
  if (value.args !== undefined) {
    if (Array.isArray(value.args))
      config.args = value.args.map((arg, index) => reader.text(arg, `args[${index}]`) ?? '');
    else reader.problem(`args must be an array of strings, found ${describeType(value.args)}`);
  }
  config.env = reader.textMap(value.env, 'env');
  config.cwd = reader.text(value.cwd, 'cwd');
  if (client === 'windsurf' && value.serverUrl !== undefined) {
    if (value.url === undefined) config.url = reader.text(value.serverUrl, 'serverUrl');
    else reader.problem('give either "serverUrl" or "url", not both');
  } else {
    config.url = reader.text(value.url, 'url');
  }
  config.headers = reader.textMap(value.headers, 'headers');
  if (value.disabled !== undefined) {
    if (typeof value.disabled === 'boolean') config.disabled = value.disabled;
    else reader.problem(`disabled must be true or false, found ${describeType(value.disabled)}`);
  }
  if (value.description !== undefined) {
    if (typeof value.description === 'string') config.description = value.description;
    else reader.problem(`description must be a string, found ${describeType(value.description)}`);
  }
  const tools = value.disabledTools;
  if (client === 'windsurf' && tools !== undefined) {
    if (!Array.isArray(tools) || !tools.every((tool) => typeof tool === 'string')) {
      reader.problem(`disabledTools must be an array of tool names, found ${describeType(tools)}`);
    } else if (tools.length > 0) {
      config.tools = { deny: tools };
    }
  }
  return config;
}

/** A server entry being built; checked against the gateway's schema once complete. */
type WritableServer = Partial<ServerConfig>;

function skipped(
  entry: ClientEntry,
  reasons: readonly string[],
  extra: Partial<SkippedEntry> = {},
): SkippedEntry {
  return { kind: 'skipped', entry, reasons, ...extra };
}

/** The command line of an entry, when it has one, for recognizing the gateway's own entry. */
function launchOf(
  value: Record<string, unknown>,
  folder: string,
  paths: { resolve(...segments: string[]): string },
): LaunchCommand | undefined {
  const { command, args, cwd } = value;
  if (typeof command !== 'string') return undefined;
  const words = Array.isArray(args) ? args.filter((arg): arg is string => typeof arg === 'string') : [];
  return { command, args: words, cwd: typeof cwd === 'string' ? paths.resolve(folder, cwd) : folder };
}

/** A type as it may be shown: the string a client wrote, or what kind of value it is. */
function showType(type: unknown): string {
  return typeof type === 'string' ? JSON.stringify(type) : describeType(type);
}

/**
 * A relative path. One that starts with a variable (`${HOME}/bin`) is left to the gateway's expansion: whatever
 * it expands to, resolving it against a folder now would be wrong.
 */
function isRelative(file: string, paths: { isAbsolute(path: string): boolean }): boolean {
  return !paths.isAbsolute(file) && !file.startsWith('${');
}
