/**
 * Query expansion with a small, general vocabulary of tool actions and objects: a model asks to "remove" what a
 * tool calls "delete", to look in a "folder" a tool calls a "directory". Each word of a query also searches for the
 * other words of its groups, at a lower weight than the words the caller wrote, so that a literal match still ranks
 * first. The groups are generic (no backend's private vocabulary), and only those that raised the accuracy on the
 * labelled requests of test/fixtures/tool-search-queries.json were kept: removing one at a time, the others made no
 * difference or made it worse. Figures in the README ("Tool discovery").
 */
import { stem } from './search-terms.js';

/** Weight of a term found through a synonym, relative to 1 for a term of the query itself. */
export const SYNONYM_WEIGHT = 0.5;

/** Words that mean the same thing when asking for a tool. A word may be in several groups. */
const GROUPS: readonly string[] = [
  'delete remove erase drop destroy forget purge',
  'update modify change edit alter patch',
  'read view open show display',
  'find search look lookup locate',
  'move rename relocate',
  'directory folder dir',
  'image picture photo icon png jpeg jpg',
  'alert warning warn advisory',
  'link relation relationship connection association',
  'entity node',
];

/** Term -> the other terms of every group it belongs to. */
const SYNONYMS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const synonyms = new Map<string, Set<string>>();
  for (const group of GROUPS) {
    const terms = group.split(' ').map(stem);
    for (const term of terms) {
      const others = synonyms.get(term) ?? new Set<string>();
      for (const other of terms) if (other !== term) others.add(other);
      synonyms.set(term, others);
    }
  }
  return synonyms;
})();

/**
 * What to search for: one concept per distinct term of the query, made of the term itself (weight 1) and its
 * synonyms (weight {@link SYNONYM_WEIGHT}). A concept counts once, through its best-matching term: a tool that has
 * both "entity" and "node" is not counted twice for a query that says "entity".
 */
export function expandQuery(terms: readonly string[]): ReadonlyMap<string, number>[] {
  return [...new Set(terms)].map((term) => {
    const concept = new Map<string, number>([[term, 1]]);
    for (const synonym of SYNONYMS.get(term) ?? []) concept.set(synonym, SYNONYM_WEIGHT);
    return concept;
  });
}
