/**
 * The merged catalog: which backend tool (or prompt) each exposed name stands for. Names are qualified with the
 * backend's prefix, kept within what models accept, and made unique deterministically: earlier backends (in
 * registration order) and the gateway's own tools keep their names, a later clash gets a hash suffix and is
 * reported.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

import { qualifyName, shortHash, withSuffix } from './tool-names.js';
import type { Upstream } from './upstream.js';

/** One backend item under the name clients see. */
export interface Exposed<T> {
  readonly exposedName: string;
  readonly upstream: Upstream;
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
  entries: readonly { upstream: Upstream; originalName: string; item: T }[],
  reserved: ReadonlySet<string>,
): ExposedSet<T> {
  const byName = new Map<string, Exposed<T>>();
  const conflicts: NameConflict[] = [];
  for (const { upstream, originalName, item } of entries) {
    const wanted = qualifyName(upstream.prefix, originalName);
    let exposedName = wanted;
    const holder = reserved.has(wanted) ? 'the gateway' : byName.get(wanted)?.upstream.name;
    if (holder !== undefined) {
      exposedName = withSuffix(wanted, shortHash(`${upstream.name}/${originalName}`, 6));
      conflicts.push({
        server: upstream.name,
        name: originalName,
        exposedAs: exposedName,
        conflictsWith: holder,
      });
    }
    byName.set(exposedName, { exposedName, upstream, originalName, item });
  }
  return { byName, conflicts };
}

/** The tools of every ready backend that its filter lets through, named for clients. */
export function buildToolCatalog(
  upstreams: readonly Upstream[],
  reserved: ReadonlySet<string>,
): ExposedSet<Tool> {
  const entries = upstreams
    .filter((upstream) => upstream.state === 'ready')
    .flatMap((upstream) =>
      upstream
        .tools()
        .filter((tool) => isExposed(tool.name, upstream.toolFilter))
        .map((tool) => ({ upstream, originalName: tool.name, item: tool })),
    );
  return exposeNames(entries, reserved);
}

function isExposed(name: string, filter: Upstream['toolFilter']): boolean {
  if (filter?.allow) return filter.allow.includes(name);
  if (filter?.deny) return !filter.deny.includes(name);
  return true;
}
