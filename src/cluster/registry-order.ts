/**
 * The ordering and diffing rules that make every replica expose the same tool names: config servers first, in the
 * order this replica registered them, then runtime entries by their global `seq`; and what a replica must do to
 * make its runtime backends match the shared registry.
 */

/** What a replica holds of one runtime entry: its place in the order and the sealed value it came from. */
export interface AppliedEntry {
  readonly seq: number;
  readonly sealed: string;
}

/** An entry of the shared registry this replica accepted (it opened and passed the local checks). */
export interface AcceptedEntry {
  readonly name: string;
  readonly seq: number;
  readonly sealed: string;
}

/** What to do to the local runtime backends, in the order to do it. */
export interface ReconcilePlan {
  /** Stop and forget these (gone from the registry, or about to be registered again with another `seq`). */
  readonly remove: readonly string[];
  /** Register these, in this order (ascending `seq`). */
  readonly add: readonly AcceptedEntry[];
}

/**
 * The steps from `applied` to `accepted`. Names in `keep` are left alone whatever the registry says: their entry
 * could not be read (a tampered entry never removes what runs) or a local change is under way. `storeReset`: the
 * store lost its data, so nothing is removed.
 */
export function planReconcile(
  applied: ReadonlyMap<string, AppliedEntry>,
  accepted: readonly AcceptedEntry[],
  keep: ReadonlySet<string>,
  storeReset: boolean,
): ReconcilePlan {
  const wanted = new Map(accepted.map((entry) => [entry.name, entry]));
  const remove: string[] = [];
  for (const [name, entry] of applied) {
    if (keep.has(name)) continue;
    const target = wanted.get(name);
    if (target === undefined ? !storeReset : target.seq !== entry.seq) remove.push(name);
  }
  const add = accepted
    .filter((entry) => !keep.has(entry.name))
    .filter((entry) => applied.get(entry.name)?.seq !== entry.seq || remove.includes(entry.name))
    .sort((a, b) => a.seq - b.seq);
  return { remove, add };
}

/**
 * `items` in exposure order: those without a `seq` (config servers) first, in their given order, then the others
 * by ascending `seq`.
 */
export function exposureOrder<T>(items: readonly T[], seqOf: (item: T) => number | undefined): T[] {
  const config = items.filter((item) => seqOf(item) === undefined);
  const runtime = items
    .filter((item) => seqOf(item) !== undefined)
    .sort((a, b) => (seqOf(a) ?? 0) - (seqOf(b) ?? 0));
  return [...config, ...runtime];
}
