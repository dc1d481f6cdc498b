/**
 * What is pinned: the kinds of items a backend presents, the fields that define each kind (nothing else of an item
 * is hashed, so `_meta`, icons and the like may change freely), and an item's fingerprint: its definition and the
 * hash of it.
 */
import { canonicalJson, sha256 } from './canonical-json.js';

/** The kinds of items pinned. */
export const PIN_KINDS = ['tool', 'prompt', 'resourceTemplate'] as const;

/** One of {@link PIN_KINDS}. */
export type PinKind = (typeof PIN_KINDS)[number];

/**
 * The fields that define an item of each kind, in the order a diff shows them. A change to any of them is a change
 * of the definition: they are what a model reads (descriptions, schemas) or what decides where a request goes.
 */
export const PIN_FIELDS: Readonly<Record<PinKind, readonly string[]>> = {
  tool: ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'],
  prompt: ['name', 'title', 'description', 'arguments'],
  resourceTemplate: ['uriTemplate', 'name', 'title', 'description', 'mimeType'],
};

/** How messages name a kind. */
export const KIND_LABELS: Readonly<Record<PinKind, string>> = {
  tool: 'tool',
  prompt: 'prompt',
  resourceTemplate: 'resource template',
};

/** The fields of {@link PIN_FIELDS} an item has, as plain JSON. */
export type Definition = Readonly<Record<string, unknown>>;

/** An item as presented: its name (what it is pinned under), its definition and that definition's hash. */
export interface Fingerprint {
  readonly name: string;
  readonly definition: Definition;
  /** `sha256:<hex>` of the definition's canonical JSON (see canonical-json.ts). */
  readonly hash: string;
}

/** Whether `value` is one of {@link PIN_KINDS} (for values read from a command line). */
export function isPinKind(value: string): value is PinKind {
  return (PIN_KINDS as readonly string[]).includes(value);
}

/** The fields of `item` that define it; a field that is absent (or `undefined`) is left out. */
export function definitionOf(kind: PinKind, item: object): Definition {
  const fields: Record<string, unknown> = {};
  for (const field of PIN_FIELDS[kind]) {
    const value = (item as Record<string, unknown>)[field];
    // Through JSON: what is pinned is what went over the wire, never a live object that may change under us.
    if (value !== undefined) fields[field] = JSON.parse(canonicalJson(value)) as unknown;
  }
  return fields;
}

/** The hash a definition is pinned under. */
export function hashDefinition(definition: Definition): string {
  return sha256(canonicalJson(definition));
}

/**
 * Fingerprints of items already seen, by the item object: a backend's tool list is the same array of objects until
 * the backend lists again, so a catalog refresh hashes only what is new.
 */
const seen: Record<PinKind, WeakMap<object, Fingerprint>> = {
  tool: new WeakMap(),
  prompt: new WeakMap(),
  resourceTemplate: new WeakMap(),
};

/** The fingerprint of an item as a backend presents it. */
export function fingerprint(kind: PinKind, item: object): Fingerprint {
  let known = seen[kind].get(item);
  if (!known) {
    const definition = definitionOf(kind, item);
    known = { name: String((item as { name?: unknown }).name), definition, hash: hashDefinition(definition) };
    seen[kind].set(item, known);
  }
  return known;
}

/** The fields of `kind` whose values differ between two definitions (a field present in one only included). */
export function changedFields(kind: PinKind, pinned: Definition, presented: Definition): string[] {
  const fields = [...PIN_FIELDS[kind], ...Object.keys(pinned), ...Object.keys(presented)];
  return [...new Set(fields)].filter(
    (field) => canonicalJson(pinned[field]) !== canonicalJson(presented[field]),
  );
}
