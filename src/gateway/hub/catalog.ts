/**
 * The merged catalog: which backend tool (or prompt) each exposed name stands for. Names are qualified with the
 * backend's prefix, kept within what models accept, and made unique deterministically: earlier backends (in
 * registration order) and the gateway's own tools keep their names, a later clash gets a hash suffix and is
 * reported.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { Backend } from '../../shared/backend.js';
import { toolPasses } from '../../shared/tool-filter.js';
import { visibleTo } from './app-meta.js';
import { qualifyName, shortHash, withSuffix } from './tool-names.js';

/** One backend item under the name clients see. */
export interface Exposed<T> {
  readonly exposedName: string;
  readonly backend: Backend;
  /** The item's own name on its backend. */
  readonly originalName: string;
  readonly item: T;
}

/** A name that could not be used as is. */
export interface NameConflict {
  readonly server: string;
  /** The backend's own name for the tool or prompt. */
  readonly name: string;
  /** The name it is exposed under instead. */
  readonly exposedAs: string;
  /** Who had the name first. */
  readonly conflictsWith: string;
}

/** Exposed items by name, plus the conflicts met on the way. */
export interface ExposedSet<T> {
  readonly byName: ReadonlyMap<string, Exposed<T>>;
  readonly conflicts: readonly NameConflict[];
}

/**
 * Assigns exposed names to items in order. `reserved` names (the gateway's own tools) are never given away; a
 * taken name gets `_<hash of server/name>` so the result is the same every time for the same backends.
 */
export function exposeNames<T>(
  entries: readonly { backend: Backend; originalName: string; item: T }[],
  reserved: ReadonlySet<string>,
): ExposedSet<T> {
  const byName = new Map<string, Exposed<T>>();
  const conflicts: NameConflict[] = [];
  for (const { backend, originalName, item } of entries) {
    const wanted = qualifyName(backend.prefix, originalName);
    let exposedName = wanted;
    const holder = reserved.has(wanted) ? 'the gateway' : byName.get(wanted)?.backend.name;
    if (holder !== undefined) {
      exposedName = withSuffix(wanted, shortHash(`${backend.name}/${originalName}`, 6));
      conflicts.push({
        server: backend.name,
        name: originalName,
        exposedAs: exposedName,
        conflictsWith: holder,
      });
    }
    byName.set(exposedName, { exposedName, backend, originalName, item });
  }
  return { byName, conflicts };
}

/**
 * The tools of every ready backend that its filter lets through, named for clients. A tool only an MCP App may
 * call (`_meta.ui.visibility: ["app"]`) is left out: a client that shows no apps would offer it to its model, and
 * one that does calls it by the backend's own name (see `calls/resolve-app-call.ts`).
 */
export function buildToolCatalog(
  backends: readonly Backend[],
  reserved: ReadonlySet<string>,
): ExposedSet<Tool> {
  const entries = backends
    .filter((backend) => backend.state === 'ready')
    .flatMap((backend) =>
      backend
        .tools()
        .filter((tool) => toolPasses(tool.name, backend.toolFilter) && visibleTo(tool, 'model'))
        .map((tool) => ({ backend, originalName: tool.name, item: tool })),
    );
  return exposeNames(entries, reserved);
}

/**
 * Splits an exposed set into what clients see and what is withheld (pinning `enforce`), after the names were
 * given: withholding an item never hands its exposed name to another backend's item, whose calls would then reach
 * a tool the caller did not mean.
 */
export function withoutWithheld<T>(
  set: ExposedSet<T>,
  isWithheld: (entry: Exposed<T>) => boolean,
): { readonly shown: ExposedSet<T>; readonly withheld: ReadonlyMap<string, Exposed<T>> } {
  const byName = new Map<string, Exposed<T>>();
  const withheld = new Map<string, Exposed<T>>();
  for (const [name, entry] of set.byName) (isWithheld(entry) ? withheld : byName).set(name, entry);
  return { shown: withheld.size === 0 ? set : { byName, conflicts: set.conflicts }, withheld };
}
