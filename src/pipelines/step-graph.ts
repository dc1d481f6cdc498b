/**
 * The graph that `after` draws between the steps of a pipeline: cycles, and what each step transitively waits for.
 */

/** A step as the graph sees it. */
export interface GraphNode {
  readonly id: string;
  readonly after: readonly string[];
}

/**
 * The first cycle found, as the ids along it with the first repeated at the end (`['a', 'b', 'a']`: a waits for b,
 * which waits for a); `undefined` when there is none. Ids in `after` that name no step are ignored.
 */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const done = new Set<string>();
  const onPath: string[] = [];

  const visit = (id: string): string[] | undefined => {
    const at = onPath.indexOf(id);
    if (at !== -1) return [...onPath.slice(at), id];
    if (done.has(id)) return undefined;
    const node = byId.get(id);
    if (!node) return undefined;
    onPath.push(id);
    for (const dependency of node.after) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    onPath.pop();
    done.add(id);
    return undefined;
  };

  for (const node of nodes) {
    const cycle = visit(node.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * For each step, every step it waits for directly or through others: the steps certain to have finished before
 * it starts. The graph must have no cycle.
 */
export function transitiveDependencies(nodes: readonly GraphNode[]): Map<string, ReadonlySet<string>> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const closure = new Map<string, ReadonlySet<string>>();

  const dependenciesOf = (id: string): ReadonlySet<string> => {
    const known = closure.get(id);
    if (known) return known;
    const all = new Set<string>();
    for (const dependency of byId.get(id)?.after ?? []) {
      if (!byId.has(dependency)) continue;
      all.add(dependency);
      for (const indirect of dependenciesOf(dependency)) all.add(indirect);
    }
    closure.set(id, all);
    return all;
  };

  for (const node of nodes) dependenciesOf(node.id);
  return closure;
}
