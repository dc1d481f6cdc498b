/**
 * Reads a client's sources and lists its server entries the way the client sees them: where two scopes hold a
 * server of the same name, the more specific one is kept and the other is reported as shadowed.
 */
import type { ClientSource, JsonPath } from './client-locations.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { describeType, isPlainObject, readClientFile, valueAt, type ClientFile } from './read-client-file.js';

/** One server entry as the client wrote it. */
export interface ClientEntry {
  /** The name the client gives the server. */
  readonly name: string;
  /** The entry itself, not yet checked. */
  readonly value: unknown;
  readonly source: ClientSource;
  /** Where the entry is in its file: the path of the servers object plus the name. */
  readonly path: JsonPath;
  /** Turned off in the client by a list kept outside the entry (Claude Code's `disabledMcpjsonServers`). */
  readonly disabledByClient: boolean;
}

/** An entry the client does not use because a more specific scope has a server of the same name. */
export interface ShadowedEntry {
  readonly entry: ClientEntry;
  readonly by: ClientEntry;
}

/** What the sources hold. */
export interface CollectedEntries {
  /** The sources whose file exists, in order. */
  readonly sourcesRead: readonly ClientSource[];
  /** The sources whose file does not exist. */
  readonly sourcesMissing: readonly ClientSource[];
  /** The entries the client uses, broadest scope first. */
  readonly entries: readonly ClientEntry[];
  readonly shadowed: readonly ShadowedEntry[];
}

/** How the sources are read. */
export interface CollectOptions {
  /** Whether the files may hold comments and trailing commas. */
  readonly jsonc: boolean;
  /** `--from`: the file must exist. */
  readonly required: boolean;
}

/**
 * Reads every source (each file once) and collects its entries.
 *
 * @throws GatewayError when a file is unreadable or invalid, when a servers key holds something else than an
 *   object, or when a required file is missing.
 */
export async function collectEntries(
  sources: readonly ClientSource[],
  options: CollectOptions,
): Promise<CollectedEntries> {
  const files = new Map<string, ClientFile | undefined>();
  const read = async (file: string): Promise<ClientFile | undefined> => {
    if (!files.has(file)) files.set(file, await readClientFile(file, options.jsonc));
    return files.get(file);
  };
  const byName = new Map<string, ClientEntry>();
  const shadowed: ShadowedEntry[] = [];
  const all: ClientEntry[] = [];
  const sourcesRead: ClientSource[] = [];
  const sourcesMissing: ClientSource[] = [];
  for (const source of sources) {
    const file = await read(source.file);
    (file === undefined ? sourcesMissing : sourcesRead).push(source);
    if (file === undefined) {
      if (options.required) {
        throw new GatewayError(
          'invalid_config',
          `${source.file}: cannot read the file (no such file); check the path given to --from`,
        );
      }
      continue;
    }
    const found = findServers(file, source);
    if (found === undefined) continue;
    const disabled = source.disabledNames
      ? await readNameList(source.disabledNames, read)
      : new Set<string>();
    for (const [name, value] of Object.entries(found.servers)) {
      const entry: ClientEntry = {
        name,
        value,
        source,
        path: [...found.path, name],
        disabledByClient: disabled.has(name),
      };
      const previous = byName.get(name);
      if (previous !== undefined) shadowed.push({ entry: previous, by: entry });
      byName.set(name, entry);
      all.push(entry);
    }
  }
  const hidden = new Set(shadowed.map(({ entry }) => entry));
  return {
    sourcesRead,
    sourcesMissing,
    entries: all.filter((entry) => !hidden.has(entry)),
    shadowed,
  };
}

/** The first of the source's servers paths present in the file, with the object it holds. */
function findServers(
  file: ClientFile,
  source: ClientSource,
): { path: JsonPath; servers: Record<string, unknown> } | undefined {
  for (const path of source.serversPaths) {
    const servers = valueAt(file.json, path);
    if (servers === undefined) continue;
    if (!isPlainObject(servers)) {
      throw new GatewayError(
        'invalid_config',
        `${file.file}: expected "${path.join('.')}" to be an object of servers ({"name": {...}}), found ` +
          `${describeType(servers)}; fix the file, or name another file with --from`,
      );
    }
    return { path, servers };
  }
  return undefined;
}

async function readNameList(
  where: { readonly file: string; readonly path: JsonPath },
  read: (file: string) => Promise<ClientFile | undefined>,
): Promise<Set<string>> {
  const file = await read(where.file);
  const list = file === undefined ? undefined : valueAt(file.json, where.path);
  return new Set(Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string') : []);
}
